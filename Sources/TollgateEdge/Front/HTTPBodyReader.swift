import NIOCore
import NIOHTTP1

/// Reads one message body framed by a length or by the chunked coding (RFC 9112 §6.3, §7.1): the part both parsers,
/// client requests and upstream responses, share. Body bytes come out as slices of the received buffer, not copies.
struct HTTPBodyReader: Equatable {
    private enum State: Equatable {
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
    }

    private var state: State

    init(length: Int) {
        state = .fixed(remaining: length)
    }

    static let chunked = HTTPBodyReader(state: .chunkSize)
    static let empty = HTTPBodyReader(length: 0)

    private init(state: State) {
        self.state = state
    }

    /// The next part from `buffer` (body bytes or the end, never a head), consuming its bytes, or nil when more bytes
    /// are needed. After `.end` the reader is spent.
    mutating func next<Head>(_ buffer: inout ByteBuffer) throws(HTTPMessageError) -> HTTPPart<Head, ByteBuffer>? {
        while true {
            switch state {
            case .fixed(0):
                return .end(nil)
            case .fixed(let remaining):
                guard buffer.readableBytes > 0 else { return nil }
                let count = min(remaining, buffer.readableBytes)
                state = .fixed(remaining: remaining - count)
                return .body(buffer.readSlice(length: count)!)
            case .chunkSize:
                guard let line = try Self.readLine(&buffer) else { return nil }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard buffer.readableBytes > 0 else { return nil }
                let count = min(remaining, buffer.readableBytes)
                let part = buffer.readSlice(length: count)!
                state = count == remaining ? .chunkEnd : .chunkData(remaining: remaining - count)
                return .body(part)
            case .chunkEnd:
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw .invalidChunk }
                state = .chunkSize
            case .trailers:
                guard let end = try buffer.httpHeadLength(limit: Self.maxTrailersSize) else { return nil }
                var section = buffer.readSlice(length: end)!
                let lines = section.readSlice(length: end - 2)!
                _ = try FieldScan(lines)
                state = .fixed(remaining: 0)
                return .end(lines.readableBytes == 0 ? nil : HTTPHeaders(validatedFieldLines: lines))
            }
        }
    }

    private static let maxTrailersSize = 64 * 1024

    private static func readLine(_ buffer: inout ByteBuffer) throws(HTTPMessageError) -> ByteBuffer? {
        let length: Int? = buffer.withUnsafeReadableBytes { bytes in
            guard let lf = bytes.firstIndex(of: 0x0A) else { return nil }
            return lf > 0 && bytes[lf - 1] == 0x0D ? lf - 1 : -1
        }
        guard let length else {
            if buffer.readableBytes > 4096 { throw .invalidChunk }
            return nil
        }
        guard length >= 0 else { throw .invalidChunk }
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// `1a;ext=1` → 26. Extensions are ignored, as RFC 9112 §7.1.1 allows.
    private static func chunkSize(_ line: ByteBuffer) throws(HTTPMessageError) -> Int {
        let size: Int? = line.withUnsafeReadableBytes { bytes in
            var size = 0
            var digits = 0
            for byte in bytes {
                let value: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
                case UInt8(ascii: ";"), 0x20, 0x09:
                    return digits > 0 ? size : nil
                default:
                    return nil
                }
                // 15 hex digits stay far below Int.max.
                guard digits < 15 else { return nil }
                size = size << 4 | Int(value)
                digits += 1
            }
            return digits > 0 ? size : nil
        }
        guard let size else { throw .invalidChunk }
        return size
    }
}
