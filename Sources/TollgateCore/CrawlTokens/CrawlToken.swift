import Crypto
import Foundation

/// A verified crawl token: a compact Ed25519-signed bearer token for crawlers that cannot sign requests.
///
/// Format: `tgc1.<base64url(payload JSON)>.<base64url(Ed25519 signature)>`, base64url without padding. The
/// signature covers the ASCII bytes of `tgc1.<base64url(payload)>`, so the version prefix is bound too. The payload
/// is `{"exp":…,"iat":…,"jti":"<uuid>","kid":"<key id>","max_price":{"currency":"USD","micros":…},
/// "scope":{…},"sub":"<crawler account uuid>"}` with sorted keys; `kid` picks the verification key.
public struct CrawlToken: Sendable, Hashable {
    public static let prefix = "tgc1"
    /// Tokens longer than this are refused before any decoding work.
    public static let maximumLength = 4096

    public let keyID: String
    public let claims: CrawlTokenClaims

    public init(keyID: String, claims: CrawlTokenClaims) {
        self.keyID = keyID
        self.claims = claims
    }

    static func encode(_ claims: CrawlTokenClaims, signingKey: CrawlTokenSigningKey) throws(CrawlTokenError) -> String {
        try claims.validate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload: Data
        do {
            payload = try encoder.encode(CrawlTokenPayload(keyID: signingKey.id, claims: claims))
        } catch {
            throw CrawlTokenError.signingFailed("\(error)")
        }
        do {
            return try CompactSigned.seal(prefix: prefix, payload: payload, key: signingKey.privateKey)
        } catch {
            throw CrawlTokenError.signingFailed("\(error)")
        }
    }

    /// Splits and decodes a token without checking its signature; only `verify` may trust the result.
    static func decode(
        _ token: String
    ) throws(CrawlTokenError) -> (payload: CrawlTokenPayload, signingInput: String, signature: [UInt8]) {
        let parts: CompactSigned.Parts
        switch CompactSigned.open(token, prefix: prefix, maximumLength: maximumLength) {
        case .success(let opened): parts = opened
        case .failure(let malformed): throw CrawlTokenError.malformed(malformed.reason)
        }
        let payload: CrawlTokenPayload
        do {
            payload = try JSONDecoder().decode(CrawlTokenPayload.self, from: Data(parts.payload))
        } catch {
            throw CrawlTokenError.malformed("payload is not valid token JSON")
        }
        return (payload, parts.signingInput, parts.signature)
    }
}
