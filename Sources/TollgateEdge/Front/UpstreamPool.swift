import NIOCore
import NIOPosix

/// Keep-alive connections to the upstream for one event loop, used only on that loop: a client connection borrows
/// one on its own loop, so request and response bytes never change threads.
final class UpstreamPool {
    let eventLoop: any EventLoop
    let configuration: UpstreamConfiguration
    /// Resolved once when the upstream is an IP literal; otherwise every connect resolves the name.
    private let address: SocketAddress?
    /// The Host field for a request that came without one (HTTP/1.0).
    let hostField: String
    /// Most recently released last; `idle[0]` has waited longest.
    private var idle: [UpstreamConnection] = []
    private var sweep: Scheduled<Void>?
    private var isClosed = false

    init(eventLoop: any EventLoop, configuration: UpstreamConfiguration) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.address = try? SocketAddress(ipAddress: configuration.host, port: configuration.port)
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        self.hostField = configuration.port == 80 ? host : "\(host):\(configuration.port)"
    }

    /// An idle connection, most recently used first (the likeliest to still be open).
    func takeIdle() -> UpstreamConnection? {
        while let connection = idle.popLast() {
            if connection.isOpen {
                connection.isReused = true
                return connection
            }
        }
        return nil
    }

    func connect(_ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        // The channel is made on this pool's loop, so the pool may be handed to its initializer.
        let pool = NIOLoopBound(self, eventLoop: eventLoop)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(pool: pool.value))
                }
            }
        let connected =
            if let address { bootstrap.connect(to: address) } else {
                bootstrap.connect(host: configuration.host, port: configuration.port)
            }
        connected.assumeIsolated().whenComplete { result in
            completion(
                result.flatMap { channel in
                    Result { try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) }
                })
        }
    }

    /// Takes a connection back after a complete exchange, or closes it when the pool is full or shut.
    func release(_ connection: UpstreamConnection) {
        connection.exchange = nil
        guard connection.isOpen, !isClosed, idle.count < configuration.maxIdleConnectionsPerLoop else {
            connection.close()
            return
        }
        connection.setReading(true)
        connection.idleSince = .now()
        idle.append(connection)
        if sweep == nil { scheduleSweep(at: connection.idleSince + configuration.idleTimeout) }
    }

    /// Forgets a connection that closed while idle.
    func remove(_ connection: UpstreamConnection) {
        if let index = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: index) }
    }

    /// Closes the idle connections and stops pooling, for shutdown.
    func close() {
        isClosed = true
        sweep?.cancel()
        sweep = nil
        let connections = idle
        idle.removeAll()
        for connection in connections { connection.close() }
    }

    // One timer per pool rather than one per connection: it wakes when the oldest idle connection expires.
    private func scheduleSweep(at deadline: NIODeadline) {
        sweep = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.closeExpired() }
    }

    private func closeExpired() {
        sweep = nil
        let expiry = NIODeadline.now() - configuration.idleTimeout
        var expired = 0
        while expired < idle.count, idle[expired].idleSince <= expiry { expired += 1 }
        let connections = idle.prefix(expired)
        idle.removeFirst(expired)
        for connection in connections { connection.close() }
        if let oldest = idle.first { scheduleSweep(at: oldest.idleSince + configuration.idleTimeout) }
    }
}
