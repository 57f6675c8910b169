import NIOCore

/// One pass over a received field section (`name: value` CRLF lines): checks every line and notes what framing,
/// connection reuse and relaying need, so the section itself can be passed on as bytes.
struct FieldScan {
    /// Content-Length; repeated equal values count as one (RFC 9110 §8.6).
    private(set) var contentLength: Int?
    private(set) var hasTransferEncoding = false
    /// The last transfer coding is chunked.
    private(set) var isChunked = false
    /// How many transfer codings all Transfer-Encoding lines list together.
    private(set) var transferCodings = 0
    /// How many Host lines there are.
    private(set) var hostFields = 0
    /// An Upgrade field is present.
    private(set) var hasUpgrade = false
    /// Connection holds `upgrade`.
    private(set) var connectionUpgrades = false
    /// Connection holds `close`.
    private(set) var closes = false
    /// Connection holds `keep-alive`.
    private(set) var keepsAlive = false
    /// Connection names fields other than the standard hop-by-hop ones, which must not be relayed either.
    private(set) var namesFields = false
    private(set) var hasPayPerCrawlFields = false
    /// Expect is `100-continue`.
    private(set) var expectsContinue = false
    /// The section without its hop-by-hop lines; nil when it had none.
    private(set) var relayed: ByteBuffer?

    init(_ section: ByteBuffer) throws(HTTPMessageError) {
        let error: HTTPMessageError? = section.withUnsafeReadableBytes { bytes in
            let count = bytes.count
            var index = 0
            // Where the run of lines not yet copied to `relayed` begins.
            var kept = 0
            while index < count {
                let lineStart = index
                // A name, then a colon: an obsolete line fold starts with whitespace, so it fails here.
                while index < count && isTokenByte(bytes[index]) { index += 1 }
                guard index > lineStart, index < count, bytes[index] == UInt8(ascii: ":") else {
                    return .invalidHeaderField
                }
                let name = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<index])
                index += 1
                var valueStart = index
                // A value ends at its CR, which must be followed by LF; a bare CR or LF is no line end.
                while index < count && isValueByte(bytes[index]) { index += 1 }
                guard index + 1 < count, bytes[index] == 0x0D, bytes[index + 1] == 0x0A else {
                    return .invalidHeaderField
                }
                var valueEnd = index
                index += 2
                while valueStart < valueEnd && isSpace(bytes[valueStart]) { valueStart += 1 }
                while valueEnd > valueStart && isSpace(bytes[valueEnd - 1]) { valueEnd -= 1 }
                let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])

                switch HopByHopField(bytes: name) {
                case .none:
                    if name.isEqualCaseInsensitive(to: "content-length") {
                        if let error = readContentLength(value) { return error }
                    } else if name.isEqualCaseInsensitive(to: "host") {
                        hostFields += 1
                    } else if name.isEqualCaseInsensitive(to: "expect") {
                        expectsContinue = expectsContinue || value.isEqualCaseInsensitive(to: "100-continue")
                    } else if name.isEqualCaseInsensitive(to: PayPerCrawlHeader.price.utf8)
                        || name.isEqualCaseInsensitive(to: PayPerCrawlHeader.charged.utf8)
                    {
                        hasPayPerCrawlFields = true
                    }
                    continue
                case .connection:
                    readConnection(value)
                case .other:
                    if name.isEqualCaseInsensitive(to: "transfer-encoding") {
                        hasTransferEncoding = true
                        let codings = value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                        transferCodings += codings.count { !trimmed($0).isEmpty }
                        isChunked = codings.last.map { trimmed($0).isEqualCaseInsensitive(to: "chunked") } ?? false
                    }
                case .upgrade:
                    hasUpgrade = true
                }
                // A hop-by-hop line: everything before it since the last one is relayed, the line itself is not.
                if relayed == nil { relayed = ByteBuffer() }
                relayed!.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[kept..<lineStart]))
                kept = index
            }
            if relayed != nil { relayed!.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[kept...])) }
            return nil
        }
        if let error { throw error }
    }

    private mutating func readContentLength(_ value: UnsafeRawBufferPointer) -> HTTPMessageError? {
        for item in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let digits = trimmed(item)
            guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return .invalidContentLength
            }
            let length = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard contentLength == nil || contentLength == length else { return .invalidContentLength }
            contentLength = length
        }
        return nil
    }

    private mutating func readConnection(_ value: UnsafeRawBufferPointer) {
        for item in value.split(separator: UInt8(ascii: ",")) {
            let token = trimmed(item)
            if token.isEqualCaseInsensitive(to: "close") {
                closes = true
            } else if token.isEqualCaseInsensitive(to: "keep-alive") {
                keepsAlive = true
            } else if token.isEqualCaseInsensitive(to: "upgrade") {
                connectionUpgrades = true
            } else if !token.isEmpty && HopByHopField(bytes: token) == .none {
                namesFields = true
            }
        }
    }
}
