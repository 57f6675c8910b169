import Crypto
import Foundation
import TollgateCore

/// A JWK as an operator uploads it. Unknown members are ignored (RFC 7517 §4), but private ones are noticed so the
/// upload can be refused by name instead of the private key being silently dropped.
struct UploadedJWK: Decodable, Sendable {
    static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]
    static let algorithms: Set<String> = ["EdDSA", "Ed25519"]
    /// 32 bytes in canonical base64url: 42 characters, then one whose low 4 bits are zero.
    static let xPattern = "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$"

    let key: JSONWebKey
    let privateMembers: [String]
    let validity: JWKValidityPeriod

    init(from decoder: any Decoder) throws {
        key = try JSONWebKey(from: decoder)
        let members = try decoder.container(keyedBy: MemberName.self)
        privateMembers = Self.privateMembers.filter { members.contains(MemberName($0)) }
        validity = try JWKValidityPeriod(from: decoder)
    }

    /// Checks the key is a public Ed25519 signing key; errors name `field.member`.
    func validated(field: String, now: Date = Date()) throws -> NewCrawlerKey {
        if let member = privateMembers.first {
            throw Problem.invalid(
                field: "\(field).\(member)",
                "is private key material; upload only the public key (kty, crv, x) and keep the private key to yourself")
        }
        guard key.kty == "OKP" else {
            throw Problem.invalid(field: "\(field).kty", "must be OKP: Web Bot Auth signatures are Ed25519, so only OKP/Ed25519 keys are accepted")
        }
        guard key.crv == "Ed25519" else { throw Problem.invalid(field: "\(field).crv", "must be Ed25519 (X25519 and Ed448 keys cannot sign Web Bot Auth requests)") }
        guard key.x != nil else { throw Problem.invalid(field: "\(field).x", "is required: the public key, 32 bytes in base64url") }
        let publicKey: Curve25519.Signing.PublicKey
        do {
            publicKey = try key.ed25519PublicKey()
        } catch {
            throw Problem.invalid(field: "\(field).x", "must be the 32-byte Ed25519 public key in base64url without padding")
        }
        // The thumbprint hashes x as written, so one key must have one spelling (no stray bits in the last character).
        guard Base64URL.encode(publicKey.rawRepresentation) == key.x else {
            throw Problem.invalid(field: "\(field).x", "must be canonical base64url: the last character carries stray bits")
        }
        if let kid = key.kid, CrawlerKey.storedJWK(key).kid != kid {
            throw Problem.invalid(field: "\(field).kid", "must be at most 200 characters without control characters")
        }
        if let use = key.use, use != "sig" { throw Problem.invalid(field: "\(field).use", "must be sig when present") }
        if let alg = key.alg, !Self.algorithms.contains(alg) {
            throw Problem.invalid(field: "\(field).alg", "must be EdDSA or Ed25519 when present")
        }
        if let expires = validity.expires, expires <= now { throw Problem.invalid(field: "\(field).exp", "is in the past; the key has expired") }
        if let notBefore = validity.notBefore, let expires = validity.expires, notBefore >= expires {
            throw Problem.invalid(field: "\(field).nbf", "must be before exp")
        }
        return NewCrawlerKey(jwk: key.publicKey, notBefore: validity.notBefore, expiresAt: validity.expires)
    }

    private struct MemberName: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
