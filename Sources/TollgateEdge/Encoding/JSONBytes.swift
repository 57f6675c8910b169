import Foundation

/// JSON written straight into bytes, for lines the agent writes per request (the access log, the usage spool, its own
/// logs), where Foundation's encoder would cost more than the rest of the work.
enum JSONBytes {
    static func appendDecimal(_ value: some BinaryInteger, minimumDigits: Int = 1, to line: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = UInt64(value.magnitude)
        withUnsafeMutableBytes(of: &digits) { digits in
            repeat {
                digits[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 || count < minimumDigits
            if value < 0 { line.append(UInt8(ascii: "-")) }
            for index in stride(from: count - 1, through: 0, by: -1) { line.append(digits[index]) }
        }
    }

    /// Lower-case 8-4-4-4-12, as `uuidString.lowercased()` would give.
    static func appendUUID(_ uuid: UUID, to line: inout [UInt8]) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { line.append(UInt8(ascii: "-")) }
                line.append(hexDigits[Int(byte >> 4)])
                line.append(hexDigits[Int(byte & 0xF)])
            }
        }
    }

    /// Appends `,"name":"value"` (nothing for nil).
    static func appendMember(_ name: String, _ value: String?, to line: inout [UInt8]) {
        guard let value else { return }
        line.append(contentsOf: #",""#.utf8)
        line.append(contentsOf: name.utf8)
        line.append(contentsOf: #"":"#.utf8)
        appendString(value, to: &line)
    }

    /// A quoted JSON string, escaped as JSON requires; most values need no escaping and are copied as they are.
    static func appendString(_ value: String, to line: inout [UInt8]) {
        var value = value
        line.append(UInt8(ascii: "\""))
        value.withUTF8 { bytes in
            if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                line.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
                case ..<0x20:
                    line.append(contentsOf: #"\u00"#.utf8)
                    line.append(hexDigits[Int(byte >> 4)])
                    line.append(hexDigits[Int(byte & 0xF)])
                default: line.append(byte)
                }
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
