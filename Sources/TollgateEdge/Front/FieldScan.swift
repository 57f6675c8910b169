import NIOCore

/// One pass over a received field section (`name: value` CRLF lines): checks every line and notes what framing,
/// connection reuse and relaying need, so the section itself can be passed on as bytes.
struct FieldScan {
    /// Content-Length; repeated equal values count as one (RFC 9110 §8.6).
    private(set) var contentLength: Int?
    private(set) var hasTransferEncoding = false
    /// The last transfer coding is chunked.
    private(set) var isChunked = false
    /// Connection holds `close`.
    private(set) var closes = false
    /// Connection holds `keep-alive`.
    private(set) var keepsAlive = false
    /// Connection names fields other than the standard hop-by-hop ones, which must not be relayed either.
    private(set) var namesFields = false
    private(set) var hasPayPerCrawlFields = false
    /// The section without its hop-by-hop lines; nil when it had none.
    private(set) var relayed: ByteBuffer?

    init(_ section: ByteBuffer) throws(UpstreamProtocolError) {
        let error: UpstreamProtocolError? = section.withUnsafeReadableBytes { bytes in
            var start = 0
            // Where the run of lines not yet copied to `relayed` begins.
            var kept = 0
            while start < bytes.count {
                guard let lf = bytes[start...].firstIndex(of: 0x0A), lf > start, bytes[lf - 1] == 0x0D else {
                    return .invalidHeaderField
                }
                let lineStart = start
                let line = bytes[start..<(lf - 1)]
                start = lf + 1
                // An obsolete line fold starts with whitespace, so its "name" is not a token and fails here.
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > lineStart,
                    line[..<colon].allSatisfy(isTokenByte)
                else { return .invalidHeaderField }
                let value = trimmed(line[(colon + 1)...])
                guard value.allSatisfy(isValueByte) else { return .invalidHeaderField }

                let name = line[..<colon]
                switch HopByHopField(bytes: name) {
                case .none:
                    if name.isEqualCaseInsensitive(to: "content-length") {
                        if let error = readContentLength(value) { return error }
                    } else if name.isEqualCaseInsensitive(to: "crawler-price")
                        || name.isEqualCaseInsensitive(to: "crawler-charged")
                    {
                        hasPayPerCrawlFields = true
                    }
                    continue
                case .connection:
                    readConnection(value)
                case .other:
                    if name.isEqualCaseInsensitive(to: "transfer-encoding") {
                        hasTransferEncoding = true
                        let last = value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).last
                        isChunked = last.map { trimmed($0).isEqualCaseInsensitive(to: "chunked") } ?? false
                    }
                case .upgrade:
                    break
                }
                // A hop-by-hop line: everything before it since the last one is relayed, the line itself is not.
                if relayed == nil { relayed = ByteBuffer() }
                relayed!.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[kept..<lineStart]))
                kept = start
            }
            if relayed != nil { relayed!.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[kept...])) }
            return nil
        }
        if let error { throw error }
    }

    private mutating func readContentLength(_ value: Slice<UnsafeRawBufferPointer>) -> UpstreamProtocolError? {
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

    private mutating func readConnection(_ value: Slice<UnsafeRawBufferPointer>) {
        for item in value.split(separator: UInt8(ascii: ",")) {
            let token = trimmed(item)
            if token.isEqualCaseInsensitive(to: "close") {
                closes = true
            } else if token.isEqualCaseInsensitive(to: "keep-alive") {
                keepsAlive = true
            } else if !token.isEmpty && HopByHopField(bytes: token) == .none {
                namesFields = true
            }
        }
    }
}

private func trimmed<Bytes: BidirectionalCollection>(_ bytes: Bytes) -> Bytes.SubSequence where Bytes.Element == UInt8 {
    var slice = bytes[...]
    while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
    while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
    return slice
}

/// RFC 9110 §5.6.2 tchar.
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

/// A field value's bytes: visible ASCII, space, tab and obs-text (RFC 9110 §5.5).
func isValueByte(_ byte: UInt8) -> Bool {
    byte == 0x09 || byte >= 0x20 && byte != 0x7F
}
