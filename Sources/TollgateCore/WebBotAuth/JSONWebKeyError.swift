/// Why a JWK could not be used.
public enum JSONWebKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A member RFC 7638 requires for this key type is absent.
    case missingMember(keyType: String, member: String)
    /// A key type with no RFC 7638 thumbprint definition.
    case unsupportedKeyType(String)
    /// The key is not an OKP key on Ed25519.
    case notEd25519(keyType: String, curve: String?)
    /// The key material does not decode to a valid key.
    case invalidKeyMaterial(String)

    public var description: String {
        switch self {
        case .missingMember(let keyType, let member): "\(keyType) JWK lacks the required member \"\(member)\""
        case .unsupportedKeyType(let keyType): "JWK key type \"\(keyType)\" is not supported"
        case .notEd25519(let keyType, let curve): "JWK is \(keyType)\(curve.map { "/\($0)" } ?? ""), not OKP/Ed25519"
        case .invalidKeyMaterial(let reason): "JWK key material is invalid: \(reason)"
        }
    }
}
