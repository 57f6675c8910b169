import Foundation
import TollgateCore

/// A crawler key as the API shows it. `verified` is true for keys a signed key directory proved; uploaded keys
/// are the operator's assertion.
struct CrawlerKeyResponse: Encodable, Sendable {
    let key: CrawlerKey
    let now: Date

    enum CodingKeys: String, CodingKey {
        case thumbprint, jwk, source, verified, status
        case createdAt = "created_at", notBefore = "not_before", expiresAt = "expires_at", revokedAt = "revoked_at"
        case revokedReason = "revoked_reason"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key.thumbprint, forKey: .thumbprint)
        try container.encode(key.jwk.publicKey, forKey: .jwk)
        try container.encode(key.source, forKey: .source)
        try container.encode(key.source == .directory, forKey: .verified)
        try container.encode(key.status(at: now), forKey: .status)
        try container.encode(key.createdAt, forKey: .createdAt)
        try container.encode(key.notBefore, forKey: .notBefore)
        try container.encode(key.expiresAt, forKey: .expiresAt)
        try container.encode(key.revokedAt, forKey: .revokedAt)
        try container.encode(key.revokedReason, forKey: .revokedReason)
    }
}
