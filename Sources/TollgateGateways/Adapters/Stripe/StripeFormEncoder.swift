/// Stripe's request bodies: `application/x-www-form-urlencoded` with Rack bracket nesting (`metadata[k]=v`,
/// `expand[0]=x`), booleans as `true`/`false`. Fields keep the order they were given in, so the same request always
/// encodes to the same bytes (Stripe compares a retried request's parameters against the first one).
public enum StripeFormEncoder {
    public indirect enum Value: Sendable, Hashable {
        case string(String)
        case object([Field])
        case array([Value])

        public static func integer(_ value: Int64) -> Value { .string(String(value)) }
        public static func bool(_ value: Bool) -> Value { .string(value ? "true" : "false") }
    }

    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: Value
        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// The (key, value) pairs in bracket notation, before percent-encoding. Empty objects and arrays send nothing:
    /// an empty value would *unset* the field at Stripe.
    public static func pairs(_ fields: [Field]) -> [(key: String, value: String)] {
        flatten(fields) { $0 }
    }

    /// The encoded body. The nesting brackets stay literal, as Stripe's own libraries send them; brackets inside a
    /// name are escaped so they cannot open a level of nesting.
    public static func encode(_ fields: [Field]) -> String {
        flatten(fields, name: escape).map { $0.key + "=" + escape($0.value) }.joined(separator: "&")
    }

    private static func flatten(_ fields: [Field], name: (String) -> String) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        func visit(_ key: String, _ value: Value) {
            switch value {
            case .string(let text): result.append((key, text))
            case .object(let children): for child in children { visit("\(key)[\(name(child.name))]", child.value) }
            case .array(let items): for (index, item) in items.enumerated() { visit("\(key)[\(index)]", item) }
            }
        }
        for field in fields { visit(name(field.name), field.value) }
        return result
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return out
    }
}
