/// Why a key directory document was rejected.
public enum KeyDirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not JSON of the shape `{"keys":[JWK, ...]}`.
    case malformedJSON(String)
    /// A key carries a private member (`d`): the directory leaks a private key and must not be trusted.
    case containsPrivateKey(index: Int)

    public var description: String {
        switch self {
        case .malformedJSON(let reason): "key directory is not {\"keys\":[JWK...]}: \(reason)"
        case .containsPrivateKey(let index): "key directory entry \(index) contains a private key (d)"
        }
    }
}
