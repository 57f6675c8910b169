import NIOCore

/// Where the reverse proxy forwards, and how it keeps connections to it.
public struct UpstreamConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var connectTimeout: TimeAmount
    /// From the request having been sent in full to the response head arriving; exceeded → 504.
    public var responseHeadTimeout: TimeAmount
    /// Idle keep-alive connections kept per event loop; more are closed when released.
    public var maxIdleConnectionsPerLoop: Int
    /// An idle pooled connection is closed after this long; keep it below the upstream's own keep-alive timeout.
    public var idleTimeout: TimeAmount

    public init(
        host: String, port: Int, connectTimeout: TimeAmount = .seconds(5),
        responseHeadTimeout: TimeAmount = .seconds(30), maxIdleConnectionsPerLoop: Int = 128,
        idleTimeout: TimeAmount = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.responseHeadTimeout = responseHeadTimeout
        self.maxIdleConnectionsPerLoop = maxIdleConnectionsPerLoop
        self.idleTimeout = idleTimeout
    }
}
