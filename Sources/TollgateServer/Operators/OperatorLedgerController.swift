import Foundation
import Hummingbird
import TollgateCore

/// `/v1/operator/crawler-accounts/…`: the platform operator looks up crawler accounts and funds or corrects them by
/// hand (before payment gateways, or to settle a dispute). Every credit and adjustment is a balanced ledger
/// transaction under the caller's `Idempotency-Key`, audited in the platform chain.
struct OperatorLedgerController {
    let auth: OperatorAuth
    let crawlerOperators: any CrawlerOperatorRepository
    let ledger: any LedgerRepository

    struct AmountBody: JSONRequestBody {
        let amount: Money
        let memo: String
        enum CodingKeys: String, CodingKey, CaseIterable { case amount, memo }
    }

    struct LimitBody: JSONRequestBody {
        let overdraftLimit: Money
        enum CodingKeys: String, CodingKey, CaseIterable { case overdraftLimit = "overdraft_limit" }
    }

    struct PostingResponse: Encodable {
        let transactionID: UUID
        let replayed: Bool
        let account: CrawlerAccountResponse
        enum CodingKeys: String, CodingKey { case transactionID = "transaction_id", replayed, account }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("operator/crawler-accounts", use: list)
        group.get("operator/crawler-accounts/{id}", use: show)
        group.post("operator/crawler-accounts/{id}/credits", use: credit)
        group.post("operator/crawler-accounts/{id}/adjustments", use: adjust)
        group.put("operator/crawler-accounts/{id}/overdraft-limit", use: setOverdraftLimit)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await auth.require(request)
        let page = try PageRequest(request)
        let accounts = try await crawlerOperators.allAccounts(after: try page.cursorID(), limit: page.limit + 1)
        var items: [CrawlerAccountResponse] = []
        for account in accounts.prefix(page.limit) { items.append(try await .load(account, ledger: ledger)) }
        return try .json(Page(items: items, nextCursor: accounts.count > page.limit ? items.last?.id.uuidString : nil))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await auth.require(request)
        return try .json(try await CrawlerAccountResponse.load(try await account(context), ledger: ledger))
    }

    func credit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context, kind: .credit) { amount in
            guard amount.micros > 0 else { throw Problem.invalid(field: "amount.micros", "a credit must be positive") }
        }
    }

    func adjust(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context, kind: .adjustment) { amount in
            guard amount.micros != 0 else { throw Problem.invalid(field: "amount.micros", "an adjustment cannot be zero") }
        }
    }

    func setOverdraftLimit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (operatorAccount, _) = try await auth.require(request)
        let account = try await account(context)
        let body = try await request.decodeJSON(LimitBody.self, context: context)
        guard body.overdraftLimit.currency == account.currency else {
            throw Problem.invalid(field: "overdraft_limit.currency", "must be the account's currency, \(account.currency.code)")
        }
        guard body.overdraftLimit.micros >= 0 else { throw Problem.invalid(field: "overdraft_limit.micros", "cannot be negative") }
        let audit = AuditRecord(
            action: "ledger.overdraft_limit_set", actor: operatorAccount.auditActor, clientAddress: context.clientAddress,
            targetType: "crawler_account", targetID: account.id.uuidString,
            details: ["limit_micros": String(body.overdraftLimit.micros), "currency": account.currency.code])
        do {
            try await ledger.setOverdraftLimit(body.overdraftLimit, crawlerAccountID: account.id, audit: audit)
        } catch LedgerError.invalid(let why) {
            throw Problem.conflict("overdraft-limit-too-low", why)
        }
        return try .json(try await CrawlerAccountResponse.load(account, ledger: ledger))
    }

    private func post(
        _ request: Request, _ context: AppRequestContext, kind: LedgerPosting.Kind, check: (Money) throws -> Void
    ) async throws -> Response {
        let (operatorAccount, _) = try await auth.require(request)
        let account = try await account(context)
        guard let key = request.headers[.idempotencyKey], (1...200).contains(key.utf8.count) else {
            throw Problem.invalid(field: "Idempotency-Key", "send an Idempotency-Key header (1–200 bytes) so a retried request is applied once")
        }
        let body = try await request.decodeJSON(AmountBody.self, context: context)
        guard body.amount.micros != .min else { throw Problem.invalid(field: "amount.micros", "is out of range") }
        try check(body.amount)
        guard body.amount.currency == account.currency else {
            throw Problem.invalid(field: "amount.currency", "must be the account's currency, \(account.currency.code)")
        }
        let memo = try Validation.text(body.memo, field: "memo", required: true, max: 500)
        let posting = try LedgerPosting(
            idempotencyKey: "operator-\(kind.rawValue):\(operatorAccount.id):\(key)", kind: kind, causeType: "operator", causeID: operatorAccount.id.uuidString,
            memo: memo,
            legs: [
                .init(.crawler(account.id, account.currency), body.amount),
                .init(.platform(.manualAdjustments, account.currency), try body.amount.negated()),
            ])
        let audit = AuditRecord(
            action: "ledger.\(kind.rawValue)", actor: operatorAccount.auditActor,
            clientAddress: context.clientAddress, targetType: "crawler_account", targetID: account.id.uuidString,
            details: ["amount_micros": String(body.amount.micros), "currency": account.currency.code, "memo": memo])
        let posted: PostedTransaction
        do {
            posted = try await ledger.post(posting, audit: audit)
        } catch LedgerError.idempotencyConflict {
            throw Problem.conflict("idempotency-key-reused", "This Idempotency-Key was already used for a different request.")
        } catch LedgerError.insufficientFunds(_, let available) {
            throw Problem.conflict("insufficient-funds", "The adjustment would overdraw the account; \(available) is available.")
        }
        return try .json(
            PostingResponse(transactionID: posted.id, replayed: posted.replayed, account: try await .load(account, ledger: ledger)),
            status: posted.replayed ? .ok : .created)
    }

    private func account(_ context: AppRequestContext) async throws -> CrawlerAccount {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let account = try await crawlerOperators.account(id: id) else { throw Problem.notFound("Crawler account \(id)") }
        return account
    }
}
