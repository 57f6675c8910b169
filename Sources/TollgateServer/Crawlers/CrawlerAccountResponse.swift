import Foundation
import TollgateCore

/// A crawler account as the API shows it, with its ledger balance.
struct CrawlerAccountResponse: Encodable {
    let id: UUID
    let operatorID: UUID
    let name: String
    let currency: String
    let dailyCap: Money?
    let monthlyCap: Money?
    let status: String
    let balance: Money
    let overdraftLimit: Money
    let available: Money
    let createdAt: Date

    init(_ account: CrawlerAccount, _ balance: CrawlerBalance) {
        id = account.id
        operatorID = account.operatorID
        name = account.name
        currency = account.currency.code
        dailyCap = account.dailyCap
        monthlyCap = account.monthlyCap
        status = account.status
        self.balance = balance.balance
        overdraftLimit = balance.overdraftLimit
        available = balance.available
        createdAt = account.createdAt
    }

    static func load(_ account: CrawlerAccount, ledger: any LedgerRepository) async throws -> CrawlerAccountResponse {
        CrawlerAccountResponse(account, try await ledger.crawlerBalance(accountID: account.id, currency: account.currency))
    }

    enum CodingKeys: String, CodingKey {
        case id, operatorID = "operator_id", name, currency, dailyCap = "daily_cap", monthlyCap = "monthly_cap", status, balance
        case overdraftLimit = "overdraft_limit", available, createdAt = "created_at"
    }

    // Caps are always present, null when unset, so clients see every field.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(operatorID, forKey: .operatorID)
        try container.encode(name, forKey: .name)
        try container.encode(currency, forKey: .currency)
        try container.encode(dailyCap, forKey: .dailyCap)
        try container.encode(monthlyCap, forKey: .monthlyCap)
        try container.encode(status, forKey: .status)
        try container.encode(balance, forKey: .balance)
        try container.encode(overdraftLimit, forKey: .overdraftLimit)
        try container.encode(available, forKey: .available)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
