import Foundation

/// RFC 8941 §4.1 serialization. The output is canonical: one space after list and dictionary commas, single
/// spaces inside inner lists, no spaces around `;` and `=`. RFC 9421 signature bases rely on exactly this form.
public enum StructuredFieldSerializer {
    public static func serialize(_ list: StructuredFieldList) throws(StructuredFieldError) -> String {
        var output = ""
        for (position, member) in list.enumerated() {
            if position > 0 { output += ", " }
            output += try serialize(member)
        }
        return output
    }

    public static func serialize(_ dictionary: StructuredFieldDictionary) throws(StructuredFieldError) -> String {
        var output = ""
        for (position, entry) in dictionary.entries.enumerated() {
            if position > 0 { output += ", " }
            output += try serializeKey(entry.key)
            if case .item(let item) = entry.value, item.bareItem == .boolean(true) {
                output += try serialize(item.parameters)
            } else {
                output += "=" + (try serialize(entry.value))
            }
        }
        return output
    }

    public static func serialize(_ member: StructuredFieldMember) throws(StructuredFieldError) -> String {
        switch member {
        case .item(let item): try serialize(item)
        case .innerList(let list): try serialize(list)
        }
    }

    public static func serialize(_ innerList: StructuredFieldInnerList) throws(StructuredFieldError) -> String {
        var output = "("
        for (position, item) in innerList.items.enumerated() {
            if position > 0 { output += " " }
            output += try serialize(item)
        }
        return output + ")" + (try serialize(innerList.parameters))
    }

    public static func serialize(_ item: StructuredFieldItem) throws(StructuredFieldError) -> String {
        try serialize(item.bareItem) + serialize(item.parameters)
    }

    public static func serialize(_ parameters: StructuredFieldParameters) throws(StructuredFieldError) -> String {
        var output = ""
        for entry in parameters {
            output += ";" + (try serializeKey(entry.key))
            if entry.value != .boolean(true) { output += "=" + (try serialize(entry.value)) }
        }
        return output
    }

    public static func serialize(_ bareItem: StructuredFieldBareItem) throws(StructuredFieldError) -> String {
        switch bareItem {
        case .integer(let value):
            guard value.magnitude <= 999_999_999_999_999 else { throw notSerializable("integer \(value) (over 15 digits)") }
            return String(value)
        case .decimal(let value):
            guard value.thousandths.magnitude <= StructuredFieldDecimal.maximumThousandths else {
                throw notSerializable("decimal \(value) (over 12 integer digits)")
            }
            return value.description
        case .string(let value):
            var output = "\""
            for byte in value.utf8 {
                guard byte >= 0x20, byte <= 0x7E else { throw notSerializable("string with a control or non-ASCII character") }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { output += "\\" }
                output.unicodeScalars.append(Unicode.Scalar(byte))
            }
            return output + "\""
        case .token(let value):
            let bytes = Array(value.utf8)
            guard let first = bytes.first,
                StructuredFieldParser.isLetter(first) || first == UInt8(ascii: "*"),
                bytes.allSatisfy(StructuredFieldParser.isTokenCharacter)
            else { throw notSerializable("token \"\(value)\"") }
            return value
        case .byteSequence(let bytes):
            return ":" + Data(bytes).base64EncodedString() + ":"
        case .boolean(let value):
            return value ? "?1" : "?0"
        }
    }

    static func serializeKey(_ key: String) throws(StructuredFieldError) -> String {
        let bytes = Array(key.utf8)
        guard let first = bytes.first,
            StructuredFieldParser.isLowercaseLetter(first) || first == UInt8(ascii: "*"),
            bytes.allSatisfy(StructuredFieldParser.isKeyCharacter)
        else { throw notSerializable("key \"\(key)\"") }
        return key
    }

    private static func notSerializable(_ what: String) -> StructuredFieldError {
        StructuredFieldError(.notSerializable(what), offset: nil)
    }
}
