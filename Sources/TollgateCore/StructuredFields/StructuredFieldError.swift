/// Why a structured field value could not be parsed or serialized (RFC 8941).
public struct StructuredFieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case nonASCII
        case unexpectedEnd(expected: String)
        case unexpectedCharacter(found: Character, expected: String)
        case trailingCharacters
        case trailingComma
        case integerTooLong
        case decimalTooLong
        case decimalFractionTooLong
        case decimalEndsWithPoint
        case invalidStringCharacter
        case invalidEscape
        case invalidByteSequence
        /// A value that has no RFC 8941 serialization (out-of-range number, invalid token or key, non-ASCII string).
        case notSerializable(String)
    }

    public let reason: Reason
    /// Byte offset in the input where parsing failed; nil for serialization errors.
    public let offset: Int?

    public init(_ reason: Reason, offset: Int?) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let at = offset.map { " at offset \($0)" } ?? ""
        switch reason {
        case .nonASCII: return "structured field contains a non-ASCII byte\(at)"
        case .unexpectedEnd(let expected): return "structured field ends early\(at); expected \(expected)"
        case .unexpectedCharacter(let found, let expected):
            return "structured field has \"\(found)\"\(at); expected \(expected)"
        case .trailingCharacters: return "structured field has trailing characters\(at)"
        case .trailingComma: return "structured field ends with a comma\(at)"
        case .integerTooLong: return "integer has more than 15 digits\(at)"
        case .decimalTooLong: return "decimal has more than 12 integer digits\(at)"
        case .decimalFractionTooLong: return "decimal has more than 3 fractional digits\(at)"
        case .decimalEndsWithPoint: return "decimal ends with a point\(at)"
        case .invalidStringCharacter: return "string contains a control or non-ASCII character\(at)"
        case .invalidEscape: return "string has a backslash not followed by \\ or \"\(at)"
        case .invalidByteSequence: return "byte sequence is not valid base64\(at)"
        case .notSerializable(let what): return "cannot serialize \(what)"
        }
    }
}
