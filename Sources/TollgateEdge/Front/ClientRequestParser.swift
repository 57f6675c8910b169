import NIOCore
import NIOHTTP1

/// Reads HTTP/1.x requests from a client's bytes (RFC 9112) as strictly as `UpstreamResponseParser` reads responses.
/// A request whose framing is not certain is refused before any of it is decided or forwarded: Content-Length with
/// Transfer-Encoding, repeated or malformed lengths, a coding other than a final chunked, a bare CR or LF, an
/// obsolete line fold, a space before a colon, no Host or two of them. Nothing can then hide a second request in the
/// first one's body, whatever the upstream would make of it.
///
/// After a CONNECT or an upgrade request the bytes are no longer HTTP: the parser stops, and they stay in the buffer
/// for the tunnel.
struct ClientRequestParser {
    enum State: Equatable {
        /// Between requests, or inside a head.
        case head
        case body
        /// After a CONNECT or upgrade request.
        case tunnel
        /// After an error: nothing more is read.
        case failed
    }

    let maxHeadSize: Int
    private(set) var state = State.head
    private var body = HTTPBodyReader.empty
    private var tunnelsAfterBody = false

    init(maxHeadSize: Int) {
        self.maxHeadSize = maxHeadSize
    }

    /// The next part from `buffer`, consuming its bytes, or nil when more bytes are needed.
    mutating func next(_ buffer: inout ByteBuffer) throws(HTTPMessageError) -> ClientRequestPart? {
        do throws(HTTPMessageError) {
            switch state {
            case .head:
                guard let head = try readHead(&buffer) else { return nil }
                state = .body
                return .head(head)
            case .body:
                let part: ClientRequestPart? = try body.next(&buffer)
                if case .end = part { state = tunnelsAfterBody ? .tunnel : .head }
                return part
            case .tunnel, .failed:
                return nil
            }
        } catch {
            state = .failed
            throw error
        }
    }

    private mutating func readHead(_ buffer: inout ByteBuffer) throws(HTTPMessageError) -> ClientRequestHead? {
        // Empty lines before a request line are ignored (RFC 9112 §2.2): some clients end a body with an extra CRLF.
        while buffer.readableBytes >= 2 && buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) == 0x0D0A {
            buffer.moveReaderIndex(forwardBy: 2)
        }
        guard let end = try buffer.httpHeadLength(limit: maxHeadSize) else { return nil }
        var bytes = buffer.readSlice(length: end)!
        let (method, target, minor) = try Self.requestLine(&bytes)
        let fields = bytes.readSlice(length: bytes.readableBytes - 2)!
        let scan = try FieldScan(fields)
        guard scan.hostFields == 1 || minor == 0 && scan.hostFields == 0 else { throw .invalidHost }
        try frame(method: method, minor: minor, scan)
        let head = HTTPRequestHead(
            version: HTTPVersion(major: 1, minor: minor), method: method, uri: target,
            headers: HTTPHeaders(validatedFieldLines: fields))
        return ClientRequestHead(
            head: head, fields: fields, isChunked: body == .chunked, connectionNamesFields: scan.namesFields,
            isKeepAlive: minor == 1 ? !scan.closes : scan.keepsAlive && !scan.closes,
            expectsContinue: scan.expectsContinue, opensTunnel: tunnelsAfterBody)
    }

    /// Sets the reader for the body (RFC 9112 §6.3: a request without Content-Length or Transfer-Encoding has none).
    private mutating func frame(method: HTTPMethod, minor: Int, _ scan: FieldScan) throws(HTTPMessageError) {
        tunnelsAfterBody = method == .CONNECT || scan.hasUpgrade && scan.connectionUpgrades
        if method == .CONNECT {
            body = .empty
        } else if scan.hasTransferEncoding {
            // §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing, even with a Content-Length.
            guard scan.contentLength == nil && minor == 1 else { throw .conflictingFraming }
            guard scan.isChunked else { throw .invalidTransferEncoding }
            guard scan.transferCodings == 1 else { throw .unsupportedTransferCoding }
            body = .chunked
        } else {
            body = HTTPBodyReader(length: scan.contentLength ?? 0)
        }
    }

    /// `GET /path HTTP/1.1` CRLF: a method token, a target of visible bytes, and HTTP/1.0 or HTTP/1.1.
    private static func requestLine(
        _ head: inout ByteBuffer
    ) throws(HTTPMessageError) -> (HTTPMethod, String, Int) {
        // (method end, target end, minor version or -1 for another well-formed version, line length)
        let parsed: (Int, Int, Int, Int)? = head.withUnsafeReadableBytes { bytes in
            guard let lf = bytes.firstIndex(of: 0x0A), lf >= 1, bytes[lf - 1] == 0x0D else { return nil }
            let line = UnsafeRawBufferPointer(rebasing: bytes[..<(lf - 1)])
            var index = 0
            while index < line.count && isTokenByte(line[index]) { index += 1 }
            let methodEnd = index
            guard methodEnd > 0, index < line.count, line[index] == 0x20 else { return nil }
            index += 1
            let targetStart = index
            while index < line.count && isTargetByte(line[index]) { index += 1 }
            let targetEnd = index
            guard targetEnd > targetStart, index < line.count, line[index] == 0x20 else { return nil }
            let version = UnsafeRawBufferPointer(rebasing: line[(index + 1)...])
            guard version.count == 8, version.starts(with: "HTTP/".utf8), version[6] == UInt8(ascii: "."),
                version[5] &- UInt8(ascii: "0") < 10, version[7] &- UInt8(ascii: "0") < 10
            else { return nil }
            let isSupported = version[5] == UInt8(ascii: "1") && version[7] <= UInt8(ascii: "1")
            return (methodEnd, targetEnd, isSupported ? Int(version[7] - UInt8(ascii: "0")) : -1, lf + 1)
        }
        guard let (methodEnd, targetEnd, minor, lineLength) = parsed else { throw .invalidRequestLine }
        guard minor >= 0 else { throw .unsupportedVersion }
        let start = head.readerIndex
        let method = HTTPMethod(rawValue: head.getString(at: start, length: methodEnd)!)
        let target = head.getString(at: start + methodEnd + 1, length: targetEnd - methodEnd - 1)!
        head.moveReaderIndex(forwardBy: lineLength)
        return (method, target, minor)
    }
}

/// A request target's bytes: visible ASCII, and bytes above it (raw UTF-8 in a path, which nginx accepts too).
private func isTargetByte(_ byte: UInt8) -> Bool {
    byte > 0x20 && byte != 0x7F
}
