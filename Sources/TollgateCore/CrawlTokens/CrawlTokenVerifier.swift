import Crypto
import Foundation

/// Verifies crawl tokens offline against a public key set: shape, key id, signature, validity window and scope,
/// in that order, so a forged token never reaches the claim checks.
public struct CrawlTokenVerifier: Sendable {
    public var publicKeys: CrawlTokenPublicKeySet
    /// Seconds of clock difference tolerated on both ends of the validity window.
    public var clockSkew: TimeInterval

    public init(publicKeys: CrawlTokenPublicKeySet, clockSkew: TimeInterval = 0) {
        self.publicKeys = publicKeys
        self.clockSkew = clockSkew
    }

    /// Checks everything but scope.
    public func verify(_ token: String, now: Date) throws(CrawlTokenError) -> CrawlToken {
        let (payload, signingInput, signature) = try CrawlToken.decode(token)
        guard let key = publicKeys[payload.keyID] else { throw CrawlTokenError.unknownKeyID(payload.keyID) }
        guard key.isValidSignature(signature, for: Array(signingInput.utf8)) else { throw CrawlTokenError.badSignature }
        let claims = payload.claims
        if now.addingTimeInterval(clockSkew) < claims.issuedAt {
            throw CrawlTokenError.notYetValid(validFrom: claims.issuedAt, now: now)
        }
        if now.addingTimeInterval(-clockSkew) >= claims.expiresAt {
            throw CrawlTokenError.expired(expiredAt: claims.expiresAt, now: now)
        }
        guard !claims.maxPrice.isNegative, !claims.scope.isEmpty else {
            throw CrawlTokenError.malformed("signed claims are invalid")
        }
        return CrawlToken(keyID: payload.keyID, claims: claims)
    }

    /// Checks everything, including that the token covers this tenant or this site.
    public func verify(_ token: String, now: Date, tenantID: UUID, siteID: UUID) throws(CrawlTokenError) -> CrawlToken {
        let verified = try verify(token, now: now)
        guard verified.claims.scope.allows(tenantID: tenantID, siteID: siteID) else {
            throw CrawlTokenError.outOfScope(tenantID: tenantID, siteID: siteID)
        }
        return verified
    }
}
