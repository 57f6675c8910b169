import Foundation

/// What a crawl token grants: which crawler account pays, where, up to what price per request, and when.
/// Times are whole Unix seconds on the wire; the initializer rounds down so claims survive a round trip unchanged.
public struct CrawlTokenClaims: Sendable, Hashable {
    /// Unique per token, for revocation lists.
    public var tokenID: UUID
    public var crawlerAccountID: UUID
    public var scope: CrawlTokenScope
    /// The most the holder agrees to pay for one request (like `crawler-max-price`).
    public var maxPrice: Money
    public var issuedAt: Date
    public var expiresAt: Date

    public init(
        tokenID: UUID = UUID(), crawlerAccountID: UUID, scope: CrawlTokenScope, maxPrice: Money, issuedAt: Date,
        expiresAt: Date
    ) {
        self.tokenID = tokenID
        self.crawlerAccountID = crawlerAccountID
        self.scope = scope
        self.maxPrice = maxPrice
        self.issuedAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        self.expiresAt = Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down))
    }

    func validate() throws(CrawlTokenError) {
        guard expiresAt > issuedAt else { throw CrawlTokenError.invalidClaims("expiry is not after issue time") }
        guard !maxPrice.isNegative else { throw CrawlTokenError.invalidClaims("max price \(maxPrice) is negative") }
        guard !scope.isEmpty else { throw CrawlTokenError.invalidClaims("scope names no tenant and no site") }
    }
}
