import NIOCore
import NIOHTTP1

// HTTP/1.1 message syntax (RFC 9112) on both of the proxy's connections: where a received head ends, the writers,
// checked field lines into `HTTPHeaders`, and the byte classes.
extension Optional where Wrapped == ByteBuffer {
    /// Adds bytes just read to those not parsed yet; with none waiting, the read buffer itself is kept (no copy).
    mutating func append(read bytes: inout ByteBuffer) {
        if self == nil || self!.readableBytes == 0 {
            self = bytes
        } else {
            self!.writeBuffer(&bytes)
        }
    }
}

extension ByteBuffer {
    /// The length of the head (or trailer section) at the reader index, up to and including its blank line, or nil
    /// if it has not all arrived; a head longer than `limit` is an error either way.
    func httpHeadLength(limit: Int) throws(HTTPMessageError) -> Int? {
        let found: Int? = withUnsafeReadableBytes { bytes in
            // An empty field section is just CRLF (trailers); otherwise the head ends at CRLF CRLF.
            if bytes.count >= 2 && bytes[0] == 0x0D && bytes[1] == 0x0A { return 2 }
            var from = 0
            while let lf = bytes[from...].firstIndex(of: 0x0A) {
                if lf >= 3 && bytes[lf - 1] == 0x0D && bytes[lf - 2] == 0x0A && bytes[lf - 3] == 0x0D { return lf + 1 }
                from = lf + 1
            }
            return nil
        }
        if let found {
            if found > limit { throw .headTooLarge }
        } else if readableBytes > limit {
            throw .headTooLarge
        }
        return found
    }

    /// `name: value` CRLF for each field.
    mutating func writeHTTPFields(_ fields: HTTPHeaders) {
        for (name, value) in fields { writeHTTPField(name, value) }
    }

    /// `name: value` CRLF.
    mutating func writeHTTPField(_ name: String, _ value: String) {
        writeJoined(name, ": ", value, "\r\n")
    }

    /// `first` `separator` `second` `terminator` as one write: a head is many short pieces, and every `ByteBuffer`
    /// write checks capacity and uniqueness again.
    mutating func writeJoined(
        _ first: String, _ separator: StaticString, _ second: String, _ terminator: StaticString
    ) {
        var first = first
        var second = second
        let separator = UnsafeRawBufferPointer(start: separator.utf8Start, count: separator.utf8CodeUnitCount)
        let terminator = UnsafeRawBufferPointer(start: terminator.utf8Start, count: terminator.utf8CodeUnitCount)
        first.withUTF8 { first in
            second.withUTF8 { second in
                let pieces = [UnsafeRawBufferPointer(first), separator, UnsafeRawBufferPointer(second), terminator]
                let length = pieces[0].count + pieces[1].count + pieces[2].count + pieces[3].count
                writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
                    // A plain loop: a helper closure capturing a running offset would have the offset checked for
                    // exclusive access on every use.
                    var offset = 0
                    for piece in pieces {
                        let end = offset + piece.count
                        UnsafeMutableRawBufferPointer(rebasing: out[offset..<end]).copyMemory(from: piece)
                        offset = end
                    }
                    return length
                }
            }
        }
    }

    /// A chunk's size line, `1a` CRLF.
    mutating func writeChunkSize(_ size: Int) {
        var digits = 1
        while size >> (4 * digits) != 0 { digits += 1 }
        for shift in stride(from: 4 * (digits - 1), through: 0, by: -4) {
            writeInteger(Self.hexDigits[(size >> shift) & 0xF])
        }
        writeStaticString("\r\n")
    }

    /// The last chunk, the trailer fields and the blank line that end a chunked body.
    mutating func writeLastChunk(trailers: HTTPHeaders?) {
        writeStaticString("0\r\n")
        if let trailers { writeHTTPFields(trailers) }
        writeStaticString("\r\n")
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension ChannelHandlerContext {
    /// Writes `body` as one chunk of a chunked body (size line, data, CRLF); an empty buffer writes nothing, since an
    /// empty chunk would end the body. For handlers whose outbound type is `ByteBuffer`.
    func writeHTTPChunk(_ body: ByteBuffer) {
        guard body.readableBytes > 0 else { return }
        var size = channel.allocator.buffer(capacity: 18)
        size.writeChunkSize(body.readableBytes)
        write(NIOAny(size), promise: nil)
        write(NIOAny(body), promise: nil)
        write(NIOAny(Self.crlf), promise: nil)
    }

    private static let crlf = ByteBuffer(string: "\r\n")
}

extension HTTPHeaders {
    /// The fields of lines `FieldScan` has already checked (`name: value` CRLF, optional whitespace around the
    /// value): a request's for the decision, trailers, and a response's for a hook that reads them.
    init(validatedFieldLines lines: ByteBuffer) {
        self.init()
        lines.withUnsafeReadableBytes { bytes in
            var start = 0
            while let lf = bytes[start...].firstIndex(of: 0x0A) {
                let line = bytes[start..<(lf - 1)]
                start = lf + 1
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
                let value = trimmed(line[(colon + 1)...])
                add(
                    name: String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self),
                    value: String(decoding: UnsafeRawBufferPointer(rebasing: value), as: UTF8.self))
            }
        }
    }
}

/// HTTP's optional whitespace (RFC 9110 §5.6.3).
func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09
}

/// Without the optional whitespace around it.
func trimmed<Bytes: BidirectionalCollection>(_ bytes: Bytes) -> Bytes.SubSequence where Bytes.Element == UInt8 {
    var slice = bytes[...]
    while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
    while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
    return slice
}

/// RFC 9110 §5.6.2 tchar: letters, digits and `!#$%&'*+-.^_`|~`. Read from a bitmap of the ASCII range (bit n for
/// byte n), since it runs for every byte of every field name.
func isTokenByte(_ byte: UInt8) -> Bool {
    if byte < 64 { return (0x03FF_6CFA_0000_0000 as UInt64) >> byte & 1 == 1 }
    return byte < 128 && (0x57FF_FFFF_C7FF_FFFE as UInt64) >> (byte - 64) & 1 == 1
}

/// A field value's bytes: visible ASCII, space, tab and obs-text (RFC 9110 §5.5).
func isValueByte(_ byte: UInt8) -> Bool {
    byte == 0x09 || byte >= 0x20 && byte != 0x7F
}
