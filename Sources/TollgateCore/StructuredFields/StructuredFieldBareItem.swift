/// An RFC 8941 bare item (§3.3): the value of an Item or of a Parameter.
public enum StructuredFieldBareItem: Sendable, Hashable {
    case integer(Int64)
    case decimal(StructuredFieldDecimal)
    case string(String)
    case token(String)
    case byteSequence([UInt8])
    case boolean(Bool)

    public var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var tokenValue: String? {
        if case .token(let value) = self { value } else { nil }
    }

    public var byteSequenceValue: [UInt8]? {
        if case .byteSequence(let value) = self { value } else { nil }
    }

    public var booleanValue: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }
}
