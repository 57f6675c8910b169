import Crypto

/// The public keys a verifier accepts, by key id. It travels (e.g. in edge sync) as a JWKS: `{"keys":[JWK...]}`.
public struct CrawlTokenPublicKeySet: Sendable {
    private var keys: [String: Curve25519.Signing.PublicKey]

    public init(_ keys: [Curve25519.Signing.PublicKey] = []) {
        self.keys = [:]
        for key in keys { self.keys[JWKThumbprint.thumbprint(of: key)] = key }
    }

    /// The Ed25519 keys of a JWKS, by thumbprint; other key types are ignored.
    public init(directory: KeyDirectory) {
        keys = directory.ed25519KeysByThumbprint()
    }

    public var keyIDs: [String] { keys.keys.sorted() }

    public subscript(keyID: String) -> Curve25519.Signing.PublicKey? { keys[keyID] }

    public var directory: KeyDirectory {
        KeyDirectory(keys: keyIDs.compactMap { keys[$0] }.map(JSONWebKey.init(ed25519PublicKey:)))
    }
}
