import Crypto

/// An Ed25519 key that issues crawl tokens; its id is the RFC 7638 thumbprint of its public key, so ids never
/// collide and a verifier can recompute them from the public key alone.
public struct CrawlTokenSigningKey: Sendable {
    public let id: String
    public let privateKey: Curve25519.Signing.PrivateKey

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        id = JWKThumbprint.thumbprint(of: privateKey.publicKey)
    }

    /// A fresh random key.
    public static func generate() -> CrawlTokenSigningKey {
        CrawlTokenSigningKey(privateKey: Curve25519.Signing.PrivateKey())
    }

    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }
}
