import Foundation
import TollgateCore

/// An Ed25519 public key a crawler signs requests with, found by its thumbprint (the signature's `keyid`).
public struct CrawlerKey: Sendable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// Uploaded by the operator: asserted, not proven.
        case uploaded
        /// Listed by the crawler's key directory in a response signed with this key: proven.
        case directory
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case active
        /// `not_before` is still ahead.
        case pending
        case expired
        case revoked
    }

    public let crawlerID: UUID
    public let thumbprint: String
    /// The public JWK, without private members.
    public let jwk: JSONWebKey
    public let source: Source
    public let createdAt: Date
    public let notBefore: Date?
    public let expiresAt: Date?
    public let revokedAt: Date?
    public let revokedReason: String?

    /// The members stored and shown: the key itself (kty, crv, x) and, when well-formed, kid, alg and use. Anything
    /// else a JWK carries is dropped, so the database never holds private or unexpected material.
    public static func storedJWK(_ jwk: JSONWebKey) -> JSONWebKey {
        let kid = jwk.kid.flatMap { kid in
            kid.count <= 200 && !kid.unicodeScalars.contains { $0.properties.generalCategory == .control } ? kid : nil
        }
        return JSONWebKey(
            kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: kid, alg: jwk.alg.flatMap { UploadedJWK.algorithms.contains($0) ? $0 : nil },
            use: jwk.use == "sig" ? "sig" : nil)
    }

    public func status(at now: Date) -> Status {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        if let notBefore, notBefore > now { return .pending }
        return .active
    }
}

/// A key about to be stored: its thumbprint is computed from the JWK.
public struct NewCrawlerKey: Sendable, Equatable {
    public let thumbprint: String
    public let jwk: JSONWebKey
    public let notBefore: Date?
    public let expiresAt: Date?

    /// - Precondition: `jwk` is a public Ed25519 key (`UploadedJWK` and the directory verifier make sure).
    public init(jwk: JSONWebKey, notBefore: Date? = nil, expiresAt: Date? = nil) {
        self.jwk = CrawlerKey.storedJWK(jwk)
        self.thumbprint = (try? JWKThumbprint.thumbprint(of: jwk)) ?? ""
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }
}
