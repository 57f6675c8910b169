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
        /// A body framed by its length or in chunks, read by `body`.
        case body
        /// No length: the body ends when the upstream closes the connection.
        case untilClose
        /// A 101's head has been read; its (empty) message ends next.
        case switching
        /// After a 101: the bytes are no longer HTTP.
        case upgraded
    }

    private(set) var state = State.head
    private var body = HTTPBodyReader.empty
    /// The request being answered was HEAD: its response has no body whatever its fields say.
    var answersHEAD = false

    /// The next part from `buffer`, consuming its bytes, or nil when more bytes are needed.
    mutating func next(_ buffer: inout ByteBuffer) throws(HTTPMessageError) -> UpstreamResponsePart? {
        while true {
            switch state {
            case .head:
                guard let head = try readHead(&buffer) else { return nil }
                // Interim responses (100 Continue, 103 Early Hints) are not relayed; the final one follows.
                if head.status.code < 200 && head.status != .switchingProtocols { continue }
                return .head(head)
            case .body:
                let part: UpstreamResponsePart? = try body.next(&buffer)
                if case .end = part { state = .head }
                return part
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
    mutating func connectionClosed() throws(HTTPMessageError) -> UpstreamResponsePart? {
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
    private mutating func readHead(_ buffer: inout ByteBuffer) throws(HTTPMessageError) -> UpstreamResponseHead? {
        guard let end = try buffer.httpHeadLength(limit: Self.maxHeadSize) else { return nil }
        var head = buffer.readSlice(length: end)!
        let (minor, code, reason) = try Self.statusLine(&head)
        let fields = head.readSlice(length: head.readableBytes - 2)!
        let scan = try FieldScan(fields)
        var status = HTTPResponseStatus(statusCode: code)
        if case .custom = status { status = HTTPResponseStatus(statusCode: code, reasonPhrase: String(buffer: reason)) }
        if code >= 200 || code == 101 { try frame(code: code, scan) }
        let keepsAlive = minor == 1 ? !scan.closes : scan.keepsAlive && !scan.closes
        return UpstreamResponseHead(
            version: HTTPVersion(major: 1, minor: minor), status: status, reason: reason, fields: fields,
            relayedFields: scan.namesFields ? nil : scan.relayed ?? fields,
            isKeepAlive: keepsAlive && state != .untilClose && code != 101,
            hasContentLength: scan.contentLength != nil, hasPayPerCrawlFields: scan.hasPayPerCrawlFields)
    }

    /// Sets the state for the body, by RFC 9112 §6.3 in its order.
    private mutating func frame(code: Int, _ scan: FieldScan) throws(HTTPMessageError) {
        if code == 101 {
            state = .switching
        } else if answersHEAD || code == 204 || code == 304 {
            (state, body) = (.body, .empty)
        } else if scan.hasTransferEncoding {
            // Both is how responses are smuggled; llhttp refuses it too.
            guard scan.contentLength == nil else { throw .conflictingFraming }
            (state, body) = scan.isChunked ? (.body, .chunked) : (.untilClose, .empty)
        } else if let length = scan.contentLength {
            (state, body) = (.body, HTTPBodyReader(length: length))
        } else {
            state = .untilClose
        }
    }

    // MARK: Status line

    /// `HTTP/1.1 200 OK`, CRLF included; the reason phrase may be empty or missing. Returns the minor version, the
    /// code and the reason's bytes.
    private static func statusLine(
        _ head: inout ByteBuffer
    ) throws(HTTPMessageError) -> (Int, Int, ByteBuffer) {
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
}
