import Foundation
import TollgateCore

/// Decoders for the encodings webhook schemes use for keys and signatures. They are strict: a value that does not
/// round-trip is rejected, so two different strings can never stand for the same signature bytes.
enum WebhookEncoding {
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

    /// Whether any candidate equals `expected`. Every candidate is compared, in constant time, so the time taken does
    /// not depend on which one (if any) matched.
    static func matchesAny(_ expected: [UInt8], _ candidates: [Substring]) -> Bool {
        var matched = false
        for candidate in candidates where ConstantTime.equals(expected, Array(candidate.utf8)) {
            matched = true
        }
        return matched
    }
}
