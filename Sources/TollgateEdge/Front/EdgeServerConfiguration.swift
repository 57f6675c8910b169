import NIOCore

/// How an `EdgeServer` listens and what it does with each request.
public struct EdgeServerConfiguration: Sendable {
    public enum Mode: Sendable {
        /// Forward allowed requests to the upstream, streaming both bodies.
        case reverseProxy(UpstreamConfiguration)
        /// Answer authorization subrequests (Traefik ForwardAuth, nginx `auth_request`): 200 allows, anything else is
        /// the answer the client gets.
        case forwardAuth
    }

    public var host: String
    /// 0 picks a free port; `EdgeServer.boundAddress` tells which.
    public var port: Int
    public var mode: Mode
    /// The scheme clients use, for when TLS ends in front of the agent; nil means `http`, this listener's own.
    public var scheme: String?
    /// Peers whose `X-Forwarded-For`/`-Proto`/`-Host` are believed. In forward-auth mode the peer is the proxy asking,
    /// so an empty list trusts every peer there.
    public var trustedProxies: [IPAddressRange]
    /// Event loop threads when the server makes its own group.
    public var threads: Int
    public var backlog: Int32
    /// A client connection idle this long between requests is closed.
    public var idleTimeout: TimeAmount
    /// On graceful shutdown, in-flight requests get this long before their connections are closed.
    public var shutdownGracePeriod: TimeAmount
    /// Limit on a request's header section; larger gets 431.
    public var maxRequestHeadSize: Int

    public init(
        host: String = "0.0.0.0", port: Int = 8080, mode: Mode, scheme: String? = nil,
        trustedProxies: [IPAddressRange] = [], threads: Int = System.coreCount, backlog: Int32 = 1024,
        idleTimeout: TimeAmount = .seconds(60), shutdownGracePeriod: TimeAmount = .seconds(30),
        maxRequestHeadSize: Int = 64 * 1024
    ) {
        self.host = host
        self.port = port
        self.mode = mode
        self.scheme = scheme
        self.trustedProxies = trustedProxies
        self.threads = threads
        self.backlog = backlog
        self.idleTimeout = idleTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.maxRequestHeadSize = maxRequestHeadSize
    }
}
