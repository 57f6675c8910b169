import Foundation

/// Decoders for the encodings webhook schemes use for keys and signatures. They are strict: a value that does not
/// round-trip is rejected, so two different strings can never stand for the same signature bytes.
enum WebhookEncoding {
    /// Hex in either case; nil on odd length or a non-hex character.
    static func hexDecode(_ string: String) -> [UInt8]? {
        let ascii = Array(string.utf8)
        guard ascii.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ascii.count / 2)
        var index = 0
        while index < ascii.count {
            guard let high = nibble(ascii[index]), let low = nibble(ascii[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func isHex(_ string: String) -> Bool {
        string.utf8.allSatisfy { nibble($0) != nil }
    }

    /// Standard padded base64 that re-encodes to exactly the input (no stray padding bits, whitespace or
    /// missing padding).
    static func canonicalBase64Decode(_ string: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: string), data.base64EncodedString() == string else { return nil }
        return Array(data)
    }

    static func base64(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// ASCII upper-casing of a hex string, for schemes that compare hex case-insensitively.
    static func uppercasedASCII(_ string: String) -> [UInt8] {
        string.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case 0x30...0x39: character - 0x30
        case 0x41...0x46: character - 0x41 + 10
        case 0x61...0x66: character - 0x61 + 10
        default: nil
        }
    }
}
