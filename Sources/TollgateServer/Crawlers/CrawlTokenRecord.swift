import Foundation
import TollgateCore

/// An issued crawl token as stored (the token string itself is never stored; its claims are).
public struct CrawlTokenRecord: Sendable, Equatable {
    public let id: UUID
    public let crawlerAccountID: UUID
    public let keyID: String
    public let scope: CrawlTokenScope
    public let maxPrice: Money
    public let issuedAt: Date
    public let expiresAt: Date
    public let revokedAt: Date?

    public var status: String {
        if revokedAt != nil { return "revoked" }
        return expiresAt <= Date() ? "expired" : "active"
    }
}

public protocol CrawlTokenRepository: Sendable {
    func record(_ token: CrawlTokenRecord) async throws
    /// Newest first; `after` is the last token of the previous page.
    func tokens(crawlerAccountID: UUID, after: UUID?, limit: Int) async throws -> [CrawlTokenRecord]
    /// false when the account has no such unrevoked token.
    func revoke(id: UUID, crawlerAccountID: UUID) async throws -> Bool
}
