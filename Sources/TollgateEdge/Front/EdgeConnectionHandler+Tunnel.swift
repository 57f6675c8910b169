import NIOCore
import NIOHTTP1

// WebSocket: after the upstream's 101 both pipelines drop their HTTP handlers and relay bytes.
extension EdgeConnectionHandler {
    func switchToTunnel() {
        guard let connection = upstream, let upstreamChannel = connection.channel else {
            abort()
            return
        }
        upstream = nil
        connection.exchange = nil
        report(status: .switchingProtocols)
        context.flush()
        clientNeedsFlush = false
        phase = .closed
        let (clientRelay, upstreamRelay) = RelayHandler.pair()
        let clientChannel = context.channel
        do {
            // Each relay goes in before the HTTP handlers leave, so bytes they held back after the upgrade reach it.
            let client = context.pipeline.syncOperations
            try clientChannel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
            try client.addHandler(clientRelay)
            client.removeHandler(context: context, promise: nil)
            client.removeHandler(try client.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self), promise: nil)

            let upstream = upstreamChannel.pipeline.syncOperations
            try upstreamChannel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
            try upstream.addHandler(upstreamRelay)
            upstream.removeHandler(connection, promise: nil)
        } catch {
            clientChannel.close(promise: nil)
            upstreamChannel.close(promise: nil)
        }
    }
}
