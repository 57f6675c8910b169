import Crypto

/// A JSON Web Key (RFC 7517) with the members thumbprints and Ed25519 use need; other members are ignored when
/// decoding. `d` is kept so a signer can load its private key; directories must never carry it.
public struct JSONWebKey: Sendable, Hashable, Codable {
    public var kty: String
    public var crv: String?
    public var x: String?
    public var y: String?
    public var n: String?
    public var e: String?
    public var k: String?
    public var d: String?
    public var kid: String?
    public var alg: String?
    public var use: String?

    public init(
        kty: String, crv: String? = nil, x: String? = nil, y: String? = nil, n: String? = nil, e: String? = nil,
        k: String? = nil, d: String? = nil, kid: String? = nil, alg: String? = nil, use: String? = nil
    ) {
        self.kty = kty
        self.crv = crv
        self.x = x
        self.y = y
        self.n = n
        self.e = e
        self.k = k
        self.d = d
        self.kid = kid
        self.alg = alg
        self.use = use
    }

    /// The public JWK of an Ed25519 key (RFC 8037).
    public init(ed25519PublicKey key: Curve25519.Signing.PublicKey) {
        self.init(kty: "OKP", crv: "Ed25519", x: Base64URL.encode(key.rawRepresentation))
    }

    /// The same key without private members.
    public var publicKey: JSONWebKey {
        var copy = self
        copy.d = nil
        return copy
    }

    public var isPrivate: Bool { d != nil }

    public var isEd25519: Bool { kty == "OKP" && crv == "Ed25519" }

    public func ed25519PublicKey() throws(JSONWebKeyError) -> Curve25519.Signing.PublicKey {
        guard isEd25519 else { throw JSONWebKeyError.notEd25519(keyType: kty, curve: crv) }
        guard let x else { throw JSONWebKeyError.missingMember(keyType: kty, member: "x") }
        guard let raw = Base64URL.decode(x), raw.count == 32,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw JSONWebKeyError.invalidKeyMaterial("x is not 32 base64url bytes") }
        return key
    }

    public func ed25519PrivateKey() throws(JSONWebKeyError) -> Curve25519.Signing.PrivateKey {
        guard isEd25519 else { throw JSONWebKeyError.notEd25519(keyType: kty, curve: crv) }
        guard let d else { throw JSONWebKeyError.missingMember(keyType: kty, member: "d") }
        guard let raw = Base64URL.decode(d), raw.count == 32,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw JSONWebKeyError.invalidKeyMaterial("d is not 32 base64url bytes") }
        if let x, x != Base64URL.encode(key.publicKey.rawRepresentation) {
            throw JSONWebKeyError.invalidKeyMaterial("d does not match x")
        }
        return key
    }
}
