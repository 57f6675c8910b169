/// Why a robots.txt-style path pattern was rejected.
public enum PathPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    /// Patterns are matched from the first octet of the path, so they start with `/` (or `*`).
    case mustStartWithSlash(String)
    /// Whitespace, control characters or `#` cannot occur in a request path.
    case invalidCharacter(String)
    /// `%` not followed by two hex digits.
    case invalidPercentEncoding(String)
    case tooLong(Int)

    public var description: String {
        switch self {
        case .empty: "pattern is empty"
        case .mustStartWithSlash(let pattern): "pattern \"\(pattern)\" must start with \"/\" or \"*\""
        case .invalidCharacter(let pattern): "pattern \"\(pattern)\" contains whitespace, a control character or \"#\""
        case .invalidPercentEncoding(let pattern): "pattern \"\(pattern)\" has a \"%\" not followed by two hex digits"
        case .tooLong(let length): "pattern is \(length) bytes long; the limit is \(PathPattern.maximumLength)"
        }
    }
}
