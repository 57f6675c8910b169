import NIOCore
import NIOHTTP1

/// The one handler on an upstream channel, speaking HTTP/1.1 itself: it writes request parts as bytes, reads responses
/// with `UpstreamResponseParser` and hands them to the client connection that borrowed it, and lets that connection
/// pause its reads (backpressure towards a slow client). While pooled, it only watches for close. After a 101 the
/// tunnel removes it, and the bytes that came behind the 101 go on to the relay.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    let pool: UpstreamPool
    private(set) var context: ChannelHandlerContext?
    /// The client connection this one is serving, nil while pooled.
    var exchange: EdgeConnectionHandler?
    /// Taken from the pool rather than freshly connected, so it may have been closed by the upstream meanwhile.
    var isReused = false
    var idleSince = NIODeadline.now()
    private(set) var isOpen = true
    private var isReadingPaused = false
    private var hasPendingRead = false
    private var lastError: (any Error)?
    private var parser = UpstreamResponseParser()
    /// Bytes read but not parsed yet.
    private var received: ByteBuffer?
    private var isChunkedRequest = false

    init(pool: UpstreamPool) {
        self.pool = pool
    }

    var channel: (any Channel)? { context?.channel }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    // MARK: Requests

    func writeHead(_ head: UpstreamRequestHead) {
        parser.answersHEAD = head.isHEAD
        isChunkedRequest = head.isChunked
        context?.write(wrapOutboundOut(head.bytes), promise: nil)
    }

    func writeBody(_ body: ByteBuffer) {
        if isChunkedRequest {
            context?.writeHTTPChunk(body)
        } else {
            context?.write(wrapOutboundOut(body), promise: nil)
        }
    }

    func writeEnd(_ trailers: HTTPHeaders?) {
        guard isChunkedRequest, let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeLastChunk(trailers: trailers)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func setReading(_ enabled: Bool) {
        isReadingPaused = !enabled
        if enabled && hasPendingRead, let context {
            hasPendingRead = false
            context.read()
        }
    }

    func close() {
        guard isOpen else { return }
        exchange = nil
        context?.close(promise: nil)
    }

    // MARK: Responses

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // What followed a 101 belongs to the tunnel.
        guard let rest = received, rest.readableBytes > 0 else { return }
        received = nil
        context.fireChannelRead(wrapInboundOut(rest))
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.append(read: &bytes)
        // Each part goes out before the next is parsed: the exchange may close this, or remove it for a tunnel.
        while isOpen, self.context != nil, parser.state != .upgraded, received != nil {
            let part: UpstreamResponsePart?
            do {
                part = try parser.next(&received!)
            } catch {
                lastError = error
                received = nil
                context.close(promise: nil)
                return
            }
            guard let part else { break }
            guard let exchange else {
                // Nothing may arrive on an idle keep-alive connection.
                received = nil
                close()
                return
            }
            exchange.upstreamRead(part)
        }
        if received?.readableBytes == 0 { received = nil }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.upstreamWritabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lastError = error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        received = nil
        if let exchange {
            // A body that runs until the close ends here; any other response the close cut short is an error.
            do {
                if let end = try parser.connectionClosed() {
                    exchange.upstreamRead(end)
                    exchange.upstreamReadComplete()
                }
            } catch {
                lastError = error
            }
        }
        if let exchange {
            self.exchange = nil
            exchange.upstreamClosed(self, error: lastError)
        } else {
            pool.remove(self)
        }
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if isReadingPaused {
            hasPendingRead = true
        } else {
            context.read()
        }
    }
}
