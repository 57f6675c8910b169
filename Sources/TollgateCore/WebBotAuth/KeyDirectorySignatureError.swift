/// Why a key directory response does not prove its keys (draft-meunier-http-message-signatures-directory §5.2).
public enum KeyDirectorySignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The response carries no signature with `tag="http-message-signatures-directory"`.
    case unsigned(String)
    /// `Signature-Input` or `Signature` is not the structured field RFC 9421 requires.
    case malformed(String)
    /// Directory signatures are present, but none verifies with a key of the directory; one reason per signature.
    case noValidSignature([String])

    public var description: String {
        switch self {
        case .unsigned(let reason): "the key directory response is not signed: \(reason)"
        case .malformed(let reason): "the key directory response's signature headers are malformed: \(reason)"
        case .noValidSignature(let reasons):
            "no signature on the key directory response verifies with one of its keys: " + reasons.joined(separator: "; ")
        }
    }
}
