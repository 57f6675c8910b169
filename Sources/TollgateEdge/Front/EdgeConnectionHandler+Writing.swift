import NIOCore
import NIOHTTP1

// Responses to the client, written as HTTP/1.1 bytes here rather than through NIO's encoder: a relayed head goes out
// as the bytes it came in as, and the handler frames bodies itself (it knows HEAD requests and HTTP/1.0 clients).
extension EdgeConnectionHandler {
    /// Writes a final response head: the status line, the fields `writeFields` appends, then the framing and
    /// connection fields the exchange needs. `reason` is the upstream's own reason phrase, when relaying.
    func writeResponseHead(
        status: HTTPResponseStatus, reason: ByteBuffer? = nil, chunked: Bool, writeFields: (inout ByteBuffer) -> Void
    ) {
        var buffer = context.channel.allocator.buffer(capacity: 1024)
        buffer.writeStatusLine(responseVersion, status, reason: reason)
        writeFields(&buffer)
        if chunked { buffer.writeStaticString("transfer-encoding: chunked\r\n") }
        if !keepAlive {
            buffer.writeStaticString("connection: close\r\n")
        } else if responseVersion == .http1_0 {
            buffer.writeStaticString("connection: keep-alive\r\n")
        }
        buffer.writeStaticString("\r\n")
        isChunkedResponse = chunked
        responseStatus = status
        responseStarted = .now()
        pendingHead = buffer
    }

    /// Writes the response head if it is still waiting for body bytes; before anything else is written or flushed.
    func writePendingHead() {
        guard let head = pendingHead else { return }
        pendingHead = nil
        context.write(wrapOutboundOut(head), promise: nil)
    }

    /// `HTTP/1.1 100 Continue`, so the client sends its body.
    func writeContinue() {
        context.writeAndFlush(wrapOutboundOut(Self.continueHead), promise: nil)
    }

    /// The upstream's 101, with its Upgrade field; the connection turns into a tunnel after it.
    func writeSwitchingProtocols(_ fields: HTTPHeaders) {
        var buffer = context.channel.allocator.buffer(capacity: 512)
        buffer.writeStaticString("HTTP/1.1 101 Switching Protocols\r\n")
        buffer.writeHTTPFields(fields)
        buffer.writeStaticString("\r\n")
        responseStatus = .switchingProtocols
        responseStarted = .now()
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func writeBody(_ body: ByteBuffer) {
        if !isChunkedResponse, var head = pendingHead, body.readableBytes <= head.writableBytes {
            // One buffer, one pending write and one `write` instead of a `writev` of two, for a few bytes copied.
            pendingHead = nil
            head.writeImmutableBuffer(body)
            context.write(wrapOutboundOut(head), promise: nil)
            return
        }
        writePendingHead()
        if isChunkedResponse {
            context.writeHTTPChunk(body)
        } else {
            context.write(wrapOutboundOut(body), promise: nil)
        }
    }

    private static let continueHead = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")
}

extension ByteBuffer {
    /// `HTTP/1.1 200 OK` CRLF: the version, the code, and the reason phrase given or the standard one. The version and
    /// code go in one write.
    fileprivate mutating func writeStatusLine(
        _ version: HTTPVersion, _ status: HTTPResponseStatus, reason: ByteBuffer?
    ) {
        let code = Int(status.code)
        let prefix: StaticString = version == .http1_0 ? "HTTP/1.0 " : "HTTP/1.1 "
        writeWithUnsafeMutableBytes(minimumWritableBytes: 13) { out in
            prefix.withUTF8Buffer { out.copyMemory(from: UnsafeRawBufferPointer($0)) }
            out[9] = UInt8(ascii: "0") + UInt8(code / 100 % 10)
            out[10] = UInt8(ascii: "0") + UInt8(code / 10 % 10)
            out[11] = UInt8(ascii: "0") + UInt8(code % 10)
            out[12] = UInt8(ascii: " ")
            return 13
        }
        if let reason {
            writeImmutableBuffer(reason)
        } else {
            writeString(status.reasonPhrase)
        }
        writeStaticString("\r\n")
    }
}
