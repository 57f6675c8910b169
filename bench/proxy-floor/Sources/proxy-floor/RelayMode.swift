import NIOCore
import NIOHTTP1
import NIOPosix

enum RelayMode: String {
    case bytes
    case nioHTTP = "nio-http"
    case half

    /// Connects the upstream side, then installs both sides' handlers; all of it on the client's event loop.
    func setUp(client: any Channel, upstream: SocketAddress) -> EventLoopFuture<Void> {
        let loop = client.eventLoop
        switch self {
        case .bytes:
            let relays = NIOLoopBound((ByteRelay(), ByteRelay()), eventLoop: loop)
            return connect(client, to: upstream) { channel in
                let (front, back) = relays.value
                front.partner = channel
                back.partner = client
                try channel.pipeline.syncOperations.addHandler(back)
            } then: {
                try client.pipeline.syncOperations.addHandler(relays.value.0)
            }
        case .nioHTTP, .half:
            let front = NIOLoopBound(HTTPFront(), eventLoop: loop)
            return connect(client, to: upstream) { channel in
                if self == .half {
                    let back = RawBack(front: front.value)
                    front.value.forward = { back.write($0) }
                    try channel.pipeline.syncOperations.addHandler(back)
                } else {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    let back = HTTPBack(front: front.value)
                    front.value.forward = { back.write($0) }
                    try channel.pipeline.syncOperations.addHandler(back)
                }
            } then: {
                try client.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                try client.pipeline.syncOperations.addHandler(front.value)
            }
        }
    }

    private func connect(
        _ client: any Channel, to upstream: SocketAddress,
        initialize: @escaping @Sendable (any Channel) throws -> Void,
        then finish: @escaping @Sendable () throws -> Void
    ) -> EventLoopFuture<Void> {
        ClientBootstrap(group: client.eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try initialize(channel) } }
            .connect(to: upstream)
            .flatMapThrowing { upstreamChannel in
                client.closeFuture.whenComplete { _ in upstreamChannel.close(promise: nil) }
                try finish()
            }
    }
}
