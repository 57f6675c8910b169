import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The edge agent's HTTP/1.1 listener, as a reverse proxy or a forward-auth service (see `EdgeServerConfiguration`).
///
/// Run it in a `ServiceGroup`, or call `run()` yourself; `boundAddress` tells where it listens once bound. Graceful
/// shutdown (the service group's, or `shutdownGracefully()`) stops accepting, lets requests in flight finish for up
/// to the configured grace period and then closes what is left; cancelling `run()` closes everything at once.
public final class EdgeServer: Service {
    public let configuration: EdgeServerConfiguration
    private let settings: FrontSettings
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let pools: UpstreamPools?
    private let connections = ConnectionRegistry()
    private let listener = ListenerState()
    private let logger: Logger

    /// - Parameters:
    ///   - eventLoopGroup: the loops to serve on; nil makes a group of `configuration.threads` threads that the
    ///     server shuts down when `run()` returns.
    public init(
        configuration: EdgeServerConfiguration, decider: any EdgeDecider, eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "tollgate.edge.front")
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        self.ownsGroup = eventLoopGroup == nil
        self.logger = logger
        let responseHeadTimeout: TimeAmount
        switch configuration.mode {
        case .reverseProxy(let upstream):
            pools = UpstreamPools(configuration: upstream, group: group)
            responseHeadTimeout = upstream.responseHeadTimeout
        case .forwardAuth:
            pools = nil
            responseHeadTimeout = .seconds(30)
        }
        let trustsEveryPeer: Bool
        if case .forwardAuth = configuration.mode { trustsEveryPeer = configuration.trustedProxies.isEmpty } else {
            trustsEveryPeer = false
        }
        settings = FrontSettings(
            decider: decider,
            requestBuilder: EdgeRequestBuilder(
                scheme: configuration.scheme ?? "http",
                trustedProxies: TrustedProxies(ranges: configuration.trustedProxies, trustsEveryPeer: trustsEveryPeer)),
            idleTimeout: configuration.idleTimeout, responseHeadTimeout: responseHeadTimeout,
            maxRequestHeadSize: configuration.maxRequestHeadSize)
    }

    /// Where the server listens, once `run()` has bound it (port 0 resolved); throws if binding failed.
    public var boundAddress: SocketAddress {
        get async throws { try await listener.address }
    }

    /// Starts a graceful shutdown, as a service group's would.
    public func shutdownGracefully() {
        listener.stopAccepting()
    }

    public func run() async throws {
        let channel: any Channel
        let address: SocketAddress
        do {
            channel = try await makeBootstrap().bind(host: configuration.host, port: configuration.port).get()
            guard let localAddress = channel.localAddress else {
                channel.close(promise: nil)
                throw ChannelError.unknownLocalAddress
            }
            address = localAddress
        } catch {
            listener.failed(error)
            try await shutdownGroup()
            throw error
        }
        if !listener.listening(channel, at: address) { channel.close(promise: nil) }
        logger.info("edge front listening", metadata: ["address": "\(address)", "mode": "\(modeName)"])

        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onGracefulShutdown: { [listener] in
                listener.stopAccepting()
            }
            await drainConnections()
        } onCancel: { [listener, connections] in
            listener.stopAccepting()
            connections.closeAll()
        }
        await pools?.closeAll()
        listener.stopped()
        try await shutdownGroup()
    }

    private var modeName: String {
        if case .forwardAuth = configuration.mode { return "forward-auth" }
        return "reverse-proxy"
    }

    /// Lets open connections finish their requests, up to the grace period, then closes the rest.
    private func drainConnections() async {
        connections.quiesce()
        let deadline = ContinuousClock.now + .nanoseconds(configuration.shutdownGracePeriod.nanoseconds)
        while connections.count > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if connections.count > 0 {
            logger.info("closing connections after the grace period", metadata: ["count": "\(connections.count)"])
            connections.closeAll()
        }
    }

    private func shutdownGroup() async throws {
        if ownsGroup { try await group.shutdownGracefully() }
    }

    private func makeBootstrap() -> ServerBootstrap {
        let settings = self.settings
        let pools = self.pools
        let connections = self.connections
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    connections.add(channel)
                    try channel.pipeline.syncOperations.addHandler(
                        EdgeConnectionHandler(settings: settings, pool: pools?.pool(for: channel.eventLoop)))
                }
            }
    }
}
