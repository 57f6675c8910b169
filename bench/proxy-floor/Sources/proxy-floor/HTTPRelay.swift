import NIOCore
import NIOHTTP1

/// The client side in the `nio-http` and `half` modes: request parts from NIO's decoder go to `forward`; response
/// parts are written through NIO's encoder.
final class HTTPFront: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    var forward: (HTTPServerRequestPart) -> Void = { _ in }
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        forward(unwrapInboundIn(data))
    }

    func write(_ part: HTTPServerResponsePart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }
}

/// The upstream side of `nio-http`: NIO's client codec; the response's parts go to the client unchanged.
final class HTTPBack: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    private let front: HTTPFront
    private var context: ChannelHandlerContext?

    init(front: HTTPFront) {
        self.front = front
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func write(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head): context?.write(wrapOutboundOut(.head(head)), promise: nil)
        case .body(let body): context?.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        case .end(let trailers): context?.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            front.write(.head(HTTPResponseHead(version: head.version, status: head.status, headers: head.headers)))
        case .body(let body):
            front.write(.body(.byteBuffer(body)))
        case .end(let trailers):
            front.write(.end(trailers))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        front.flush()
    }
}

/// The upstream side of `half`: the request head is written as bytes, and the response's bytes are handed to the
/// client's encoder as a body part, which it writes unchanged.
final class RawBack: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let front: HTTPFront
    private var context: ChannelHandlerContext?

    init(front: HTTPFront) {
        self.front = front
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func write(_ part: HTTPServerRequestPart) {
        guard let context else { return }
        switch part {
        case .head(let head):
            var bytes = context.channel.allocator.buffer(capacity: 256)
            bytes.writeString("\(head.method.rawValue) \(head.uri) HTTP/1.1\r\n")
            for (name, value) in head.headers { bytes.writeString("\(name): \(value)\r\n") }
            bytes.writeStaticString("\r\n")
            context.write(wrapOutboundOut(bytes), promise: nil)
        case .body(let body):
            context.write(wrapOutboundOut(body), promise: nil)
        case .end:
            context.flush()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        front.write(.body(.byteBuffer(unwrapInboundIn(data))))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        front.flush()
    }
}
