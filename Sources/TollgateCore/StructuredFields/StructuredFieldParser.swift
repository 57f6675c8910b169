import Foundation

/// A strict RFC 8941 parser, following the algorithms of §4.2 step by step.
///
/// The input is one field value; a caller that received several field lines joins them with ", " first (§4.2).
public struct StructuredFieldParser {
    private let bytes: [UInt8]
    private var index: Int

    private init(_ value: String) {
        bytes = Array(value.utf8)
        index = 0
    }

    public static func parseList(_ value: String) throws(StructuredFieldError) -> StructuredFieldList {
        var parser = StructuredFieldParser(value)
        return try parser.parseField { (parser: inout StructuredFieldParser) throws(StructuredFieldError) in
            try parser.parseListMembers()
        }
    }

    public static func parseDictionary(_ value: String) throws(StructuredFieldError) -> StructuredFieldDictionary {
        var parser = StructuredFieldParser(value)
        return try parser.parseField { (parser: inout StructuredFieldParser) throws(StructuredFieldError) in
            try parser.parseDictionaryMembers()
        }
    }

    public static func parseItem(_ value: String) throws(StructuredFieldError) -> StructuredFieldItem {
        var parser = StructuredFieldParser(value)
        return try parser.parseField { (parser: inout StructuredFieldParser) throws(StructuredFieldError) in
            try parser.parseItem()
        }
    }

    // §4.2 steps 1-7: ASCII only, leading and trailing SP discarded, nothing left over.
    private mutating func parseField<Result>(
        _ body: (inout StructuredFieldParser) throws(StructuredFieldError) -> Result
    ) throws(StructuredFieldError) -> Result {
        if let offset = bytes.firstIndex(where: { $0 > 0x7F }) { throw StructuredFieldError(.nonASCII, offset: offset) }
        skipSpaces()
        let result = try body(&self)
        skipSpaces()
        guard index == bytes.count else { throw StructuredFieldError(.trailingCharacters, offset: index) }
        return result
    }

    // §4.2.1
    private mutating func parseListMembers() throws(StructuredFieldError) -> StructuredFieldList {
        var members: StructuredFieldList = []
        while index < bytes.count {
            members.append(try parseMember())
            skipOptionalWhitespace()
            if index == bytes.count { return members }
            try expect(UInt8(ascii: ","), "\",\" between list members")
            skipOptionalWhitespace()
            if index == bytes.count { throw StructuredFieldError(.trailingComma, offset: index) }
        }
        return members
    }

    // §4.2.2
    private mutating func parseDictionaryMembers() throws(StructuredFieldError) -> StructuredFieldDictionary {
        var dictionary = StructuredFieldDictionary()
        while index < bytes.count {
            let key = try parseKey()
            if peek == UInt8(ascii: "=") {
                index += 1
                dictionary[key] = try parseMember()
            } else {
                dictionary[key] = .item(StructuredFieldItem(.boolean(true), parameters: try parseParameters()))
            }
            skipOptionalWhitespace()
            if index == bytes.count { return dictionary }
            try expect(UInt8(ascii: ","), "\",\" between dictionary members")
            skipOptionalWhitespace()
            if index == bytes.count { throw StructuredFieldError(.trailingComma, offset: index) }
        }
        return dictionary
    }

    // §4.2.1.1
    private mutating func parseMember() throws(StructuredFieldError) -> StructuredFieldMember {
        if peek == UInt8(ascii: "(") { return .innerList(try parseInnerList()) }
        return .item(try parseItem())
    }

    // §4.2.1.2
    private mutating func parseInnerList() throws(StructuredFieldError) -> StructuredFieldInnerList {
        try expect(UInt8(ascii: "("), "\"(\"")
        var items: [StructuredFieldItem] = []
        while index < bytes.count {
            skipSpaces()
            if peek == UInt8(ascii: ")") {
                index += 1
                return StructuredFieldInnerList(items, parameters: try parseParameters())
            }
            items.append(try parseItem())
            guard let next = peek else { break }
            guard next == UInt8(ascii: " ") || next == UInt8(ascii: ")") else {
                throw unexpected(next, "space or \")\" after an inner-list item")
            }
        }
        throw StructuredFieldError(.unexpectedEnd(expected: "\")\" closing the inner list"), offset: index)
    }

    // §4.2.3
    private mutating func parseItem() throws(StructuredFieldError) -> StructuredFieldItem {
        let bareItem = try parseBareItem()
        return StructuredFieldItem(bareItem, parameters: try parseParameters())
    }

    // §4.2.3.1
    private mutating func parseBareItem() throws(StructuredFieldError) -> StructuredFieldBareItem {
        guard let first = peek else { throw StructuredFieldError(.unexpectedEnd(expected: "an item"), offset: index) }
        switch first {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "*"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            return .token(parseToken())
        case UInt8(ascii: ":"): return .byteSequence(try parseByteSequence())
        case UInt8(ascii: "?"): return .boolean(try parseBoolean())
        default: throw unexpected(first, "an integer, decimal, string, token, byte sequence or boolean")
        }
    }

    // §4.2.3.2
    private mutating func parseParameters() throws(StructuredFieldError) -> StructuredFieldParameters {
        var parameters = StructuredFieldParameters()
        while peek == UInt8(ascii: ";") {
            index += 1
            skipSpaces()
            let key = try parseKey()
            var value = StructuredFieldBareItem.boolean(true)
            if peek == UInt8(ascii: "=") {
                index += 1
                value = try parseBareItem()
            }
            parameters[key] = value
        }
        return parameters
    }

    // §4.2.3.3
    private mutating func parseKey() throws(StructuredFieldError) -> String {
        guard let first = peek else { throw StructuredFieldError(.unexpectedEnd(expected: "a key"), offset: index) }
        guard Self.isLowercaseLetter(first) || first == UInt8(ascii: "*") else {
            throw unexpected(first, "a key starting with a lower-case letter or \"*\"")
        }
        let start = index
        while let byte = peek, Self.isKeyCharacter(byte) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    // §4.2.4
    private mutating func parseNumber() throws(StructuredFieldError) -> StructuredFieldBareItem {
        let start = index
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard let first = peek else { throw StructuredFieldError(.unexpectedEnd(expected: "a digit"), offset: index) }
        guard Self.isDigit(first) else { throw unexpected(first, "a digit") }
        var digits: [UInt8] = []
        var pointPosition: Int?
        while let byte = peek {
            if Self.isDigit(byte) {
                digits.append(byte)
            } else if byte == UInt8(ascii: "."), pointPosition == nil {
                if digits.count > 12 { throw StructuredFieldError(.decimalTooLong, offset: index) }
                pointPosition = digits.count
            } else {
                break
            }
            index += 1
            if pointPosition == nil, digits.count > 15 { throw StructuredFieldError(.integerTooLong, offset: start) }
            if pointPosition != nil, digits.count + 1 > 16 { throw StructuredFieldError(.decimalTooLong, offset: start) }
        }
        var magnitude: Int64 = 0
        for digit in digits { magnitude = magnitude * 10 + Int64(digit - UInt8(ascii: "0")) }
        guard let pointPosition else { return .integer(negative ? -magnitude : magnitude) }
        let fractionDigits = digits.count - pointPosition
        if fractionDigits == 0 { throw StructuredFieldError(.decimalEndsWithPoint, offset: index - 1) }
        if fractionDigits > 3 { throw StructuredFieldError(.decimalFractionTooLong, offset: start) }
        for _ in fractionDigits..<3 { magnitude *= 10 }
        return .decimal(StructuredFieldDecimal(thousandths: negative ? -magnitude : magnitude))
    }

    // §4.2.5
    private mutating func parseString() throws(StructuredFieldError) -> String {
        try expect(UInt8(ascii: "\""), "\"\\\"\"")
        var output: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { break }
                guard escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw StructuredFieldError(.invalidEscape, offset: index - 1)
                }
                output.append(escaped)
                index += 1
            case UInt8(ascii: "\""):
                return String(decoding: output, as: UTF8.self)
            case 0x00...0x1F, 0x7F...0xFF:
                throw StructuredFieldError(.invalidStringCharacter, offset: index - 1)
            default:
                output.append(byte)
            }
        }
        throw StructuredFieldError(.unexpectedEnd(expected: "a closing quote"), offset: index)
    }

    // §4.2.6
    private mutating func parseToken() -> String {
        let start = index
        index += 1
        while let byte = peek, Self.isTokenCharacter(byte) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    // §4.2.7
    private mutating func parseByteSequence() throws(StructuredFieldError) -> [UInt8] {
        try expect(UInt8(ascii: ":"), "\":\"")
        let start = index
        while let byte = peek, byte != UInt8(ascii: ":") {
            guard Self.isBase64Character(byte) else { throw unexpected(byte, "a base64 character or \":\"") }
            index += 1
        }
        guard peek == UInt8(ascii: ":") else {
            throw StructuredFieldError(.unexpectedEnd(expected: "\":\" closing the byte sequence"), offset: index)
        }
        var encoded = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        // §4.2.7: parsers SHOULD NOT fail when "=" padding is missing.
        if !encoded.hasSuffix("="), encoded.utf8.count % 4 != 0 {
            encoded += String(repeating: "=", count: 4 - encoded.utf8.count % 4)
        }
        guard let data = Data(base64Encoded: encoded) else {
            throw StructuredFieldError(.invalidByteSequence, offset: start)
        }
        return Array(data)
    }

    // §4.2.8
    private mutating func parseBoolean() throws(StructuredFieldError) -> Bool {
        try expect(UInt8(ascii: "?"), "\"?\"")
        guard let byte = peek else { throw StructuredFieldError(.unexpectedEnd(expected: "1 or 0"), offset: index) }
        index += 1
        switch byte {
        case UInt8(ascii: "1"): return true
        case UInt8(ascii: "0"): return false
        default:
            index -= 1
            throw unexpected(byte, "1 or 0")
        }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ byte: UInt8, _ expected: String) throws(StructuredFieldError) {
        guard let next = peek else { throw StructuredFieldError(.unexpectedEnd(expected: expected), offset: index) }
        guard next == byte else { throw unexpected(next, expected) }
        index += 1
    }

    private func unexpected(_ byte: UInt8, _ expected: String) -> StructuredFieldError {
        StructuredFieldError(.unexpectedCharacter(found: Character(Unicode.Scalar(byte)), expected: expected), offset: index)
    }

    private mutating func skipSpaces() {
        while peek == UInt8(ascii: " ") { index += 1 }
    }

    private mutating func skipOptionalWhitespace() {
        while peek == UInt8(ascii: " ") || peek == UInt8(ascii: "\t") { index += 1 }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isLowercaseLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }

    static func isLetter(_ byte: UInt8) -> Bool {
        isLowercaseLetter(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isKeyCharacter(_ byte: UInt8) -> Bool {
        isLowercaseLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "*")
    }

    private static let tokenSymbols = Set("!#$%&'*+-.^_`|~:/".utf8)

    // tchar (RFC 9110 §5.6.2) plus ":" and "/".
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || tokenSymbols.contains(byte)
    }

    static func isBase64Character(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }
}
