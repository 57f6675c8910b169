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
        let signingInput = "\(prefix).\(Base64URL.encode(payload))"
        let signature: Data
        do {
            signature = try signingKey.privateKey.signature(for: Array(signingInput.utf8))
        } catch {
            throw CrawlTokenError.signingFailed("\(error)")
        }
        return "\(signingInput).\(Base64URL.encode(signature))"
    }

    /// Splits and decodes a token without checking its signature; only `verify` may trust the result.
    static func decode(
        _ token: String
    ) throws(CrawlTokenError) -> (payload: CrawlTokenPayload, signingInput: String, signature: [UInt8]) {
        guard token.utf8.count <= maximumLength else { throw CrawlTokenError.malformed("longer than \(maximumLength) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw CrawlTokenError.malformed("expected 3 dot-separated parts, found \(parts.count)") }
        guard parts[0] == prefix else { throw CrawlTokenError.malformed("prefix is not \(prefix)") }
        // Only the canonical encoding is accepted (no stray padding bits), so one token has exactly one spelling.
        guard let payloadBytes = Base64URL.decode(String(parts[1])), !payloadBytes.isEmpty,
            Base64URL.encode(payloadBytes) == parts[1]
        else { throw CrawlTokenError.malformed("payload is not canonical base64url") }
        guard let signature = Base64URL.decode(String(parts[2])), signature.count == 64,
            Base64URL.encode(signature) == parts[2]
        else { throw CrawlTokenError.malformed("signature is not 64 bytes of canonical base64url") }
        let payload: CrawlTokenPayload
        do {
            payload = try JSONDecoder().decode(CrawlTokenPayload.self, from: Data(payloadBytes))
        } catch {
            throw CrawlTokenError.malformed("payload is not valid token JSON")
        }
        return (payload, "\(parts[0]).\(parts[1])", signature)
    }
}
