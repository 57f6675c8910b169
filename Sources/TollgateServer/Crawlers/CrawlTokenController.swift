import Foundation
import Hummingbird
import TollgateCore

/// Crawl tokens for a crawler account (`/v1/crawler/accounts/{id}/tokens`) and signed receipts for its charges.
/// Tokens are signed with the platform's active crawl-token key and verifiable offline with `GET /v1/keys/crawl-tokens`.
struct CrawlTokenController {
    let service: CrawlerOperatorService
    let tokens: any CrawlTokenRepository
    let keys: any SigningKeyRepository
    let ledger: any LedgerRepository
    let issuer: String

    static let defaultLifetime = 3600
    static let lifetimes = 60...86_400
    static let maximumScopeEntries = 100

    struct IssueBody: JSONRequestBody {
        let scope: CrawlTokenScope
        let maxPrice: Money
        let ttlSeconds: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case scope, maxPrice = "max_price", ttlSeconds = "ttl_seconds" }
    }

    struct TokenResponse: Encodable {
        let id: UUID
        let crawlerAccountID: UUID
        let keyID: String
        let scope: CrawlTokenScope
        let maxPrice: Money
        let issuedAt: Date
        let expiresAt: Date
        let status: String
        let token: String?

        init(_ record: CrawlTokenRecord, token: String? = nil) {
            id = record.id
            crawlerAccountID = record.crawlerAccountID
            keyID = record.keyID
            scope = record.scope
            maxPrice = record.maxPrice
            issuedAt = record.issuedAt
            expiresAt = record.expiresAt
            status = record.status
            self.token = token
        }
    }

    struct ReceiptResponse: Encodable {
        let receipt: String
        let keyID: String
        let eventID: String
        let price: Money
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("crawler/accounts/{id}/tokens", use: issue)
        group.get("crawler/accounts/{id}/tokens", use: list)
        group.delete("crawler/accounts/{id}/tokens/{token_id}", use: revoke)
        group.get("crawler/accounts/{id}/charges/{event_id}/receipt", use: receipt)
    }

    func issue(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        let body = try await request.decodeJSON(IssueBody.self, context: context)
        guard account.status == "active" else { throw Problem.conflict("account-suspended", "This crawler account is suspended.") }
        guard body.maxPrice.currency == account.currency else {
            throw Problem.invalid(field: "max_price.currency", "must be the account's currency, \(account.currency.code)")
        }
        guard body.maxPrice.micros > 0 else { throw Problem.invalid(field: "max_price.micros", "must be positive") }
        if case .restricted(let tenants, let sites) = body.scope {
            guard !(tenants.isEmpty && sites.isEmpty) else { throw Problem.invalid(field: "scope", "name at least one tenant or site, or {\"all\":true}") }
            guard tenants.count + sites.count <= Self.maximumScopeEntries else {
                throw Problem.invalid(field: "scope", "may name at most \(Self.maximumScopeEntries) tenants and sites together")
            }
        }
        let lifetime = body.ttlSeconds ?? Self.defaultLifetime
        guard Self.lifetimes.contains(lifetime) else {
            throw Problem.invalid(field: "ttl_seconds", "must be between \(Self.lifetimes.lowerBound) and \(Self.lifetimes.upperBound)")
        }
        let key = try await keys.activeKey(.crawlToken)
        let now = Date()
        let claims = CrawlTokenClaims(
            tokenID: UUID(), crawlerAccountID: account.id, scope: body.scope, maxPrice: body.maxPrice, issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(lifetime)))
        let token = try CrawlTokenKeyring(activeKey: CrawlTokenSigningKey(privateKey: key.privateKey)).issue(claims)
        let record = CrawlTokenRecord(
            id: claims.tokenID, crawlerAccountID: account.id, keyID: key.id, scope: claims.scope, maxPrice: claims.maxPrice,
            issuedAt: claims.issuedAt, expiresAt: claims.expiresAt, revokedAt: nil)
        try await tokens.record(record)
        return try .json(TokenResponse(record, token: token), status: .created)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        let page = try PageRequest(request)
        let records = try await tokens.tokens(crawlerAccountID: account.id, after: try page.cursorID(), limit: page.limit + 1)
        let items = records.prefix(page.limit).map { TokenResponse($0) }
        return try .json(Page(items: Array(items), nextCursor: records.count > page.limit ? items.last?.id.uuidString : nil))
    }

    func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        let id = try context.parameters.require("token_id", as: UUID.self)
        guard try await tokens.revoke(id: id, crawlerAccountID: account.id) else { throw Problem.notFound("Unrevoked crawl token \(id)") }
        return .noContent()
    }

    func receipt(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        let eventID = try context.parameters.require("event_id")
        guard let charge = try await ledger.postedCharge(eventID: eventID), charge.crawlerAccountID == account.id else {
            throw Problem.notFound("Posted charge \(eventID)")
        }
        let key = try await keys.activeKey(.receipt)
        let signer = ChargeReceiptSigner(key: key.privateKey)
        let receipt = try signer.sign(
            ChargeReceipt(
                eventID: charge.eventID, transactionID: charge.transactionID, crawlerAccountID: charge.crawlerAccountID,
                tenantID: charge.tenantID, siteID: charge.siteID, url: charge.url, price: charge.price, occurredAt: charge.occurredAt,
                postedAt: charge.postedAt, issuer: issuer))
        return try .json(ReceiptResponse(receipt: receipt, keyID: signer.keyID, eventID: eventID, price: charge.price))
    }
}
