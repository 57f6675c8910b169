import Foundation
import TollgateCore

/// One line of a statement: what was charged for one group (a crawler account, a site, a tenant or a day).
public struct StatementLine: Sendable, Hashable, Codable {
    public let key: String
    public let label: String
    public let charges: Int
    public let gross: Money
    public let fees: Money
    public let net: Money
}

/// A charge as the ledger recorded it.
public struct PostedCharge: Sendable, Equatable {
    public let eventID: String
    public let transactionID: UUID
    public let crawlerAccountID: UUID
    public let tenantID: UUID
    public let siteID: UUID
    public let url: String
    public let price: Money
    public let occurredAt: Date
    public let postedAt: Date
}

/// A crawler account's balance and how far below zero it may go.
public struct CrawlerBalance: Sendable, Equatable {
    public let balance: Money
    public let overdraftLimit: Money
    /// What charges may still spend: balance plus overdraft limit.
    public var available: Money { Money(micros: balance.micros + overdraftLimit.micros, currency: balance.currency) }
}

public enum StatementGrouping: String, Sendable, CaseIterable {
    case crawler, site, tenant, day
}

/// The ledger's storage: balanced postings with idempotency, charge posting, balances and statements.
public protocol LedgerRepository: Sendable {
    /// Posts a balanced transaction, or returns the earlier one for a repeated idempotency key. `audit`, when given,
    /// is appended to the platform's audit chain in the same database transaction (not again on a replay).
    func post(_ posting: LedgerPosting, audit: AuditRecord?) async throws -> PostedTransaction
    /// Posts each usage event at most once, in one database transaction; outcomes are in the events' order.
    func postCharges(_ events: [UsageEvent], platformFeeBasisPoints: Int) async throws -> [ChargeOutcome]
    func balance(_ account: LedgerAccountRef) async throws -> Money
    /// A posted charge, for its receipt; nil when the event was not posted (or never seen).
    func postedCharge(eventID: String) async throws -> PostedCharge?
    func crawlerBalance(accountID: UUID, currency: Currency) async throws -> CrawlerBalance
    /// The tenant's earnings balance in each currency it has earned in.
    func earningsBalances(tenantID: UUID) async throws -> [Money]
    /// How far below zero a crawler account's balance may go (0 = prepaid only).
    func setOverdraftLimit(_ limit: Money, crawlerAccountID: UUID, audit: AuditRecord?) async throws
    /// Accounts whose stored balance is not the sum of their entries; empty when the ledger is consistent.
    func inconsistentAccounts() async throws -> [String]
    /// Posted charges of a tenant's sites, grouped (`crawler`, `site` or `day`), within [from, to).
    func earnings(tenantID: UUID, groupBy: StatementGrouping, from: Date, to: Date) async throws -> [StatementLine]
    /// Posted charges of a crawler account, grouped (`tenant`, `site` or `day`), within [from, to).
    func spending(crawlerAccountID: UUID, groupBy: StatementGrouping, from: Date, to: Date) async throws -> [StatementLine]
}

extension LedgerRepository {
    public func post(_ posting: LedgerPosting) async throws -> PostedTransaction {
        try await post(posting, audit: nil)
    }

    public func setOverdraftLimit(_ limit: Money, crawlerAccountID: UUID) async throws {
        try await setOverdraftLimit(limit, crawlerAccountID: crawlerAccountID, audit: nil)
    }
}
