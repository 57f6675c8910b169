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
            // Both relays go in before either HTTP handler leaves: the bytes each held back after the upgrade (the
            // client's first frames, what came behind the 101) are passed on as it goes, and must find both ends.
            let client = context.pipeline.syncOperations
            let upstream = upstreamChannel.pipeline.syncOperations
            try clientChannel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
            try upstreamChannel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
            try client.addHandler(clientRelay)
            try upstream.addHandler(upstreamRelay)
            client.removeHandler(context: context, promise: nil)
            upstream.removeHandler(connection, promise: nil)
        } catch {
            clientChannel.close(promise: nil)
            upstreamChannel.close(promise: nil)
        }
    }
}
