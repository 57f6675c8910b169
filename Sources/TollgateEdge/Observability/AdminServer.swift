import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The admin listener: `/metrics` (Prometheus), `/healthz` (the process is alive) and `/readyz` (it has policy
/// state to decide with). Separate from the traffic port so it is never exposed with the site.
public final class AdminServer: Service, Sendable {
    let address: HostAndPort
    let group: any EventLoopGroup
    let exposition: PrometheusExposition
    let store: StateStore
    let logger: Logger
    private let bound: EventLoopPromise<Int>

    public init(address: HostAndPort, group: any EventLoopGroup, exposition: PrometheusExposition, store: StateStore, logger: Logger) {
        self.address = address
        self.group = group
        self.exposition = exposition
        self.store = store
        self.logger = logger
        bound = group.next().makePromise(of: Int.self)
    }

    /// The port actually bound (useful with port 0).
    public var port: Int {
        get async throws { try await bound.futureResult.get() }
    }

    public func run() async throws {
        let respond: @Sendable (String) -> (HTTPResponseStatus, String, String) = { [exposition, store] path in
            switch path {
            case "/metrics": (.ok, "text/plain; version=0.0.4; charset=utf-8", exposition.render())
            case "/healthz": (.ok, "text/plain; charset=utf-8", "ok\n")
            case "/readyz":
                store.isReady
                    ? (.ok, "text/plain; charset=utf-8", "ready\n")
                    : (.serviceUnavailable, "text/plain; charset=utf-8", "no policy state yet\n")
            default: (.notFound, "text/plain; charset=utf-8", "not found; try /metrics, /healthz or /readyz\n")
            }
        }
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(AdminHandler(respond: respond))
                    }
                }
                .bind(host: address.host, port: address.port).get()
        } catch {
            bound.fail(error)
            throw error
        }
        bound.succeed(channel.localAddress?.port ?? address.port)
        logger.info("admin listener ready", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "")"])
        try await gracefulShutdown()
        try await channel.close()
    }
}

private final class AdminHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: @Sendable (String) -> (HTTPResponseStatus, String, String)
    private var head: HTTPRequestHead?

    init(respond: @escaping @Sendable (String) -> (HTTPResponseStatus, String, String)) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "/")
            let (status, contentType, body) = head.method == .GET ? respond(path) : (.methodNotAllowed, "text/plain", "GET only\n")
            var headers = HTTPHeaders([("content-type", contentType), ("content-length", "\(body.utf8.count)")])
            if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
            self.head = nil
        }
    }
}
