import Foundation

/// A crawl token revoked before its expiry. The edge refuses it until `expiresAt`, after which it is invalid anyway
/// and the entry can be forgotten.
public struct SyncRevokedToken: Sendable, Hashable, Codable {
    public var tokenID: UUID
    public var expiresAt: Date

    public init(tokenID: UUID, expiresAt: Date) {
        self.tokenID = tokenID
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey {
        case tokenID = "token_id"
        case expiresAt = "expires_at"
    }
}
