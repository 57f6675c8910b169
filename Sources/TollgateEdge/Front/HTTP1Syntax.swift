import NIOCore
import NIOHTTP1

// HTTP/1.1 message syntax (RFC 9112) on both of the proxy's connections: where a received head ends, and the
// writers.
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

