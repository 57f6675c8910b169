import Foundation
import Hummingbird
import TollgateCore

/// `/v1/crawler/…`: crawler operators sign up and in, open accounts in a currency, set spending caps, and read
/// their balances and spending statements.
struct CrawlerOperatorController {
    let service: CrawlerOperatorService
    let operators: any CrawlerOperatorRepository
    let ledger: any LedgerRepository

    struct SignupBody: JSONRequestBody {
        let email: String
        let password: String
        let name: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password, name }
    }

    struct LoginBody: JSONRequestBody {
        let email: String
        let password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password }
    }

    struct AccountBody: JSONRequestBody {
        let name: String
        let currency: String
        let dailyCap: Money?
        let monthlyCap: Money?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, currency, dailyCap = "daily_cap", monthlyCap = "monthly_cap" }
    }

    struct CapsBody: JSONRequestBody {
        let dailyCap: Money?
        let monthlyCap: Money?
        enum CodingKeys: String, CodingKey, CaseIterable { case dailyCap = "daily_cap", monthlyCap = "monthly_cap" }
    }

    struct TokenResponse: Encodable {
        let crawlerOperator: CrawlerOperator
        let token: String
        let expiresAt: Date
        enum CodingKeys: String, CodingKey { case crawlerOperator = "operator", token, expiresAt = "expires_at" }
    }

    struct MeResponse: Encodable {
        let crawlerOperator: CrawlerOperator
        let accounts: [CrawlerAccountResponse]
        enum CodingKeys: String, CodingKey { case crawlerOperator = "operator", accounts }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("crawler/signup", use: signup)
        group.post("crawler/sessions", use: login)
        group.delete("crawler/sessions/current", use: logout)
        group.get("crawler/me", use: me)
        group.post("crawler/accounts", use: createAccount)
        group.get("crawler/accounts/{id}", use: showAccount)
        group.put("crawler/accounts/{id}/caps", use: setCaps)
        group.get("crawler/accounts/{id}/statement", use: statement)
    }

    func signup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SignupBody.self, context: context)
        let issued = try await service.signup(
            email: body.email, password: body.password, name: body.name, caller: Caller(request: request, context: context))
        return try .json(TokenResponse(crawlerOperator: issued.crawlerOperator, token: issued.token, expiresAt: issued.expiresAt), status: .created)
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(LoginBody.self, context: context)
        let issued = try await service.login(email: body.email, password: body.password, caller: Caller(request: request, context: context))
        return try .json(TokenResponse(crawlerOperator: issued.crawlerOperator, token: issued.token, expiresAt: issued.expiresAt), status: .created)
    }

    func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, token) = try await service.require(request)
        try await service.logout(token: token)
        return .noContent()
    }

    func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (account, _) = try await service.require(request)
        var accounts: [CrawlerAccountResponse] = []
        for crawlerAccount in try await operators.accounts(operatorID: account.id) {
            accounts.append(try await .load(crawlerAccount, ledger: ledger))
        }
        return try .json(MeResponse(crawlerOperator: account, accounts: accounts))
    }

    func createAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, _) = try await service.require(request)
        let body = try await request.decodeJSON(AccountBody.self, context: context)
        let name = try Validation.text(body.name, field: "name", required: true, max: 200)
        guard let currency = try? Currency(body.currency) else {
            throw Problem.invalid(field: "currency", "must be an ISO 4217 code in upper case, like USD")
        }
        let (daily, monthly) = try Self.caps(body.dailyCap, body.monthlyCap, currency: currency)
        let created = try await operators.createAccount(
            operatorID: owner.id, NewCrawlerAccount(name: name, currency: currency, dailyCap: daily, monthlyCap: monthly))
        return try .json(try await CrawlerAccountResponse.load(created, ledger: ledger), status: .created)
    }

    func showAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await ownAccount(request, context)
        return try .json(try await CrawlerAccountResponse.load(account, ledger: ledger))
    }

    func setCaps(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await ownAccount(request, context)
        let body = try await request.decodeJSON(CapsBody.self, context: context)
        let (daily, monthly) = try Self.caps(body.dailyCap, body.monthlyCap, currency: account.currency)
        try await operators.setCaps(accountID: account.id, daily: daily, monthly: monthly)
        guard let updated = try await operators.account(id: account.id) else { throw Problem.notFound("Crawler account \(account.id)") }
        return try .json(try await CrawlerAccountResponse.load(updated, ledger: ledger))
    }

    func statement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await ownAccount(request, context)
        let query = try StatementQuery(request, allowed: [.tenant, .site, .day], defaultGrouping: .day)
        let lines = try await ledger.spending(crawlerAccountID: account.id, groupBy: query.groupBy, from: query.from, to: query.to)
        return try .json(StatementResponse(groupBy: query.groupBy.rawValue, from: query.from, to: query.to, lines: lines, balances: nil))
    }

    private func ownAccount(_ request: Request, _ context: AppRequestContext) async throws -> CrawlerAccount {
        try await service.ownAccount(request, context).1
    }

    private static func caps(_ daily: Money?, _ monthly: Money?, currency: Currency) throws -> (Money?, Money?) {
        for (field, cap) in [("daily_cap", daily), ("monthly_cap", monthly)] {
            guard let cap else { continue }
            guard cap.currency == currency else { throw Problem.invalid(field: "\(field).currency", "must be the account's currency, \(currency.code)") }
            guard cap.micros > 0 else { throw Problem.invalid(field: "\(field).micros", "must be positive; send null for no cap") }
        }
        if let daily, let monthly, monthly.micros < daily.micros {
            throw Problem.invalid(field: "monthly_cap.micros", "must not be below the daily cap")
        }
        return (daily, monthly)
    }
}
