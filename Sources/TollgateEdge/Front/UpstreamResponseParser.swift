import NIOCore
import NIOHTTP1

/// Reads HTTP/1.x responses from the upstream's bytes (RFC 9112), strictly: anything it cannot frame with certainty
/// is an error and the connection is dropped, so a confused upstream can never smuggle a second response to a client.
///
/// Heads stay bytes (`UpstreamResponseHead`): one pass checks every field line and notes framing, Connection and the
/// hop-by-hop lines, and nothing becomes a `String` unless a hook asks for `HTTPHeaders`.
struct UpstreamResponseParser {
    /// A response head larger than this is refused (nginx's default `proxy_buffer_size` is 4–8 KiB).
    static let maxHeadSize = 64 * 1024

    enum State: Equatable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        /// No length: the body ends when the upstream closes the connection.
        case untilClose
        /// A 101's head has been read; its (empty) message ends next.
        case switching
        /// After a 101: the bytes are no longer HTTP.
        case upgraded
    }

    private(set) var state = State.head
    /// The request being answered was HEAD: its response has no body whatever its fields say.
    var answersHEAD = false

    /// The next part from `buffer`, consuming its bytes, or nil when more bytes are needed.
    mutating func next(_ buffer: inout ByteBuffer) throws(UpstreamProtocolError) -> UpstreamResponsePart? {
        while true {
            switch state {
            case .head:
                guard let head = try readHead(&buffer) else { return nil }
                // Interim responses (100 Continue, 103 Early Hints) are not relayed; the final one follows.
                if head.status.code < 200 && head.status != .switchingProtocols { continue }
                return .head(head)
            case .fixedBody(0):
                state = .head
                return .end(nil)
            case .fixedBody(let remaining):
                guard buffer.readableBytes > 0 else { return nil }
                let count = min(remaining, buffer.readableBytes)
                state = .fixedBody(remaining: remaining - count)
                return .body(buffer.readSlice(length: count)!)
            case .chunkSize:
                guard let line = try readLine(&buffer) else { return nil }
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
                guard buffer.readInteger(as: UInt16.self) == Self.crlf else { throw .invalidChunk }
                state = .chunkSize
            case .trailers:
                guard let end = try Self.headEnd(in: buffer) else { return nil }
                var section = buffer.readSlice(length: end)!
                let lines = section.readSlice(length: end - 2)!
                _ = try FieldScan(lines)
                state = .head
                return .end(lines.readableBytes == 0 ? nil : HTTPHeaders(validatedFieldLines: lines))
            case .untilClose:
                guard buffer.readableBytes > 0 else { return nil }
                return .body(buffer.readSlice(length: buffer.readableBytes)!)
            case .switching:
                state = .upgraded
                return .end(nil)
            case .upgraded:
                return nil
            }
        }
    }

    /// The end of a body that runs until the connection closes, or an error if the close cut a response short.
    mutating func connectionClosed() throws(UpstreamProtocolError) -> UpstreamResponsePart? {
        switch state {
        case .untilClose:
            state = .head
            return .end(nil)
        case .head, .switching, .upgraded:
            return nil
        default:
            throw .truncated
        }
    }

    // MARK: Head

    /// Reads a head and sets the state for its body.
    private mutating func readHead(_ buffer: inout ByteBuffer) throws(UpstreamProtocolError) -> UpstreamResponseHead? {
        guard let end = try Self.headEnd(in: buffer) else { return nil }
        var head = buffer.readSlice(length: end)!
        let (minor, code, reason) = try Self.statusLine(&head)
        let fields = head.readSlice(length: head.readableBytes - 2)!
        let scan = try FieldScan(fields)
        var status = HTTPResponseStatus(statusCode: code)
        if case .custom = status { status = HTTPResponseStatus(statusCode: code, reasonPhrase: String(buffer: reason)) }
        if code >= 200 || code == 101 { state = try framing(code: code, scan) }
        let keepsAlive = minor == 1 ? !scan.closes : scan.keepsAlive && !scan.closes
        return UpstreamResponseHead(
            version: HTTPVersion(major: 1, minor: minor), status: status, reason: reason, fields: fields,
            relayedFields: scan.namesFields ? nil : scan.relayed ?? fields,
            isKeepAlive: keepsAlive && state != .untilClose && code != 101,
            hasContentLength: scan.contentLength != nil, hasPayPerCrawlFields: scan.hasPayPerCrawlFields)
    }

    /// RFC 9112 §6.3, in its order.
    private func framing(code: Int, _ scan: FieldScan) throws(UpstreamProtocolError) -> State {
        if code == 101 { return .switching }
        if answersHEAD || code == 204 || code == 304 { return .fixedBody(remaining: 0) }
        if scan.hasTransferEncoding {
            // Both is how responses are smuggled; llhttp refuses it too.
            guard scan.contentLength == nil else { throw .conflictingFraming }
            return scan.isChunked ? .chunkSize : .untilClose
        }
        if let length = scan.contentLength { return .fixedBody(remaining: length) }
        return .untilClose
    }

    // MARK: Lines

    private static let crlf = UInt16(0x0D0A)

    /// The length of a head up to and including its blank line, or nil if it has not all arrived.
    private static func headEnd(in buffer: ByteBuffer) throws(UpstreamProtocolError) -> Int? {
        let found: Int? = buffer.withUnsafeReadableBytes { bytes in
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
            if found > maxHeadSize { throw .headTooLarge }
        } else if buffer.readableBytes > maxHeadSize {
            throw .headTooLarge
        }
        return found
    }

    private func readLine(_ buffer: inout ByteBuffer) throws(UpstreamProtocolError) -> ByteBuffer? {
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

    /// `HTTP/1.1 200 OK`, CRLF included; the reason phrase may be empty or missing. Returns the minor version, the
    /// code and the reason's bytes.
    private static func statusLine(
        _ head: inout ByteBuffer
    ) throws(UpstreamProtocolError) -> (Int, Int, ByteBuffer) {
        let parsed: (minor: Int, code: Int, lineLength: Int)? = head.withUnsafeReadableBytes { bytes in
            guard let lf = bytes.firstIndex(of: 0x0A), lf >= 13, bytes[lf - 1] == 0x0D else { return nil }
            let line = UnsafeRawBufferPointer(rebasing: bytes[..<(lf - 1)])
            guard line.starts(with: "HTTP/1.".utf8), line[8] == 0x20,
                line[7] == UInt8(ascii: "0") || line[7] == UInt8(ascii: "1")
            else { return nil }
            var code = 0
            for index in 9..<12 {
                let digit = line[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                code = code * 10 + Int(digit)
            }
            guard code >= 100 else { return nil }
            guard line.count == 12 || line[12] == 0x20 && line[13...].allSatisfy(isValueByte) else { return nil }
            return (Int(line[7] - UInt8(ascii: "0")), code, lf + 1)
        }
        guard let parsed else { throw .invalidStatusLine }
        let reasonLength = max(0, parsed.lineLength - 15)
        let reason = head.getSlice(at: head.readerIndex + parsed.lineLength - 2 - reasonLength, length: reasonLength)!
        head.moveReaderIndex(forwardBy: parsed.lineLength)
        return (parsed.minor, parsed.code, reason)
    }

    /// `1a;ext=1` → 26. Extensions are ignored, as RFC 9112 §7.1.1 allows.
    private static func chunkSize(_ line: ByteBuffer) throws(UpstreamProtocolError) -> Int {
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
