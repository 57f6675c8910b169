import NIOCore
import NIOHTTP1

/// The last handler on an upstream channel. It hands response parts to the client connection that borrowed it and
/// lets that connection pause its reads (backpressure towards a slow client); while pooled, it only watches for close.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

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

    init(pool: UpstreamPool) {
        self.pool = pool
    }

    var channel: (any Channel)? { context?.channel }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func write(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
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

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else {
            // Nothing may arrive on an idle keep-alive connection.
            close()
            return
        }
        exchange.upstreamRead(unwrapInboundIn(data))
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
