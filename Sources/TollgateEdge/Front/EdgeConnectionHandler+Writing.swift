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
        buffer.writeStaticString(responseVersion == .http1_0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeStatus(status, reason: reason)
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
        context.write(wrapOutboundOut(buffer), promise: nil)
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
        if isChunkedResponse {
            context.writeHTTPChunk(body)
        } else {
            context.write(wrapOutboundOut(body), promise: nil)
        }
    }

    private static let continueHead = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")
}

extension ByteBuffer {
    /// `200 OK` CRLF: the code, and the reason phrase given or the standard one.
    fileprivate mutating func writeStatus(_ status: HTTPResponseStatus, reason: ByteBuffer?) {
        let code = Int(status.code)
        writeInteger(UInt8(ascii: "0") + UInt8(code / 100 % 10))
        writeInteger(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        writeInteger(UInt8(ascii: "0") + UInt8(code % 10))
        writeInteger(UInt8(ascii: " "))
        if let reason {
            writeImmutableBuffer(reason)
        } else {
            writeString(status.reasonPhrase)
        }
        writeStaticString("\r\n")
    }
}
