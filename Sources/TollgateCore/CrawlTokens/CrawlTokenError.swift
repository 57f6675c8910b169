import Foundation

/// Why a crawl token was not issued or not accepted.
public enum CrawlTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not `tgc1.<payload>.<signature>` with a well-formed payload and a 64-byte signature.
    case malformed(String)
    /// The payload's `kid` names no key in the verifier's key set (retired, or never ours).
    case unknownKeyID(String)
    /// The signature does not verify with the key named by `kid`.
    case badSignature
    case expired(expiredAt: Date, now: Date)
    case notYetValid(validFrom: Date, now: Date)
    /// The token's scope covers neither this tenant nor this site.
    case outOfScope(tenantID: UUID, siteID: UUID)
    /// Refused at issuing: the claims make no sense (expiry before issue, negative price, empty scope).
    case invalidClaims(String)
    case signingFailed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed crawl token: \(reason)"
        case .unknownKeyID(let keyID): "crawl token names unknown key id \"\(keyID)\""
        case .badSignature: "crawl token signature does not verify"
        case .expired(let expiredAt, let now):
            "crawl token expired at \(Int64(expiredAt.timeIntervalSince1970)) (now \(Int64(now.timeIntervalSince1970)))"
        case .notYetValid(let validFrom, let now):
            "crawl token is valid from \(Int64(validFrom.timeIntervalSince1970)) (now \(Int64(now.timeIntervalSince1970)))"
        case .outOfScope(let tenantID, let siteID):
            "crawl token does not cover tenant \(tenantID.uuidString.lowercased()) / site \(siteID.uuidString.lowercased())"
        case .invalidClaims(let reason): "invalid crawl token claims: \(reason)"
        case .signingFailed(let reason): "crawl token signing failed: \(reason)"
        }
    }
}
