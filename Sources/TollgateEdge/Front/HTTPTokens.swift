extension StringProtocol {
    /// Without surrounding spaces and tabs (HTTP's optional whitespace).
    var trimmingSpaces: SubSequence {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }

    /// Compares with a lower-case ASCII literal, ignoring case: header names and tokens, no allocation.
    func isEqualCaseInsensitive(to lowercased: StaticString) -> Bool {
        utf8.isEqualCaseInsensitive(to: lowercased)
    }

    /// Whether this comma-separated list (e.g. a Connection field) holds `token`, ignoring case.
    func containsToken(_ token: StaticString) -> Bool {
        split(separator: ",").contains { $0.trimmingSpaces.isEqualCaseInsensitive(to: token) }
    }
}

extension Collection where Element == UInt8 {
    /// The same comparison on bytes, for field names read straight from the wire.
    func isEqualCaseInsensitive(to lowercased: StaticString) -> Bool {
        guard count == lowercased.utf8CodeUnitCount else { return false }
        return lowercased.withUTF8Buffer { expected in
            var index = 0
            for byte in self {
                let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                guard folded == expected[index] else { return false }
                index += 1
            }
            return true
        }
    }

    /// Compares two ASCII names ignoring case.
    func isEqualCaseInsensitive<Other: Collection>(to other: Other) -> Bool where Other.Element == UInt8 {
        count == other.count
            && zip(self, other).allSatisfy { a, b in
                a == b || a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z")
            }
    }
}
