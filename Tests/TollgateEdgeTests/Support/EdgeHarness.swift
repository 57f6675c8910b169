import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
@testable import TollgateEdge

/// Starts an `EdgeServer` on 127.0.0.1 and a free port for the length of `body`, then shuts it down gracefully.
enum EdgeHarness {
    static func proxyConfiguration(upstreamPort: Int) -> EdgeServerConfiguration {
        EdgeServerConfiguration(
            host: "127.0.0.1", port: 0,
            mode: .reverseProxy(UpstreamConfiguration(host: "127.0.0.1", port: upstreamPort)), threads: 2)
    }

    static func withServer<T>(
        _ configuration: EdgeServerConfiguration, decider: TestDecider, _ body: (_ port: Int) async throws -> T
    ) async throws -> T {
        let server = EdgeServer(configuration: configuration, decider: decider)
        let run = Task { try await server.run() }
        let result: T
        do {
            let port = try await server.boundAddress.port!
            result = try await body(port)
        } catch {
            run.cancel()
            _ = try? await run.value
            throw error
        }
        server.shutdownGracefully()
        try await run.value
        return result
    }

    /// A proxy in front of a fresh `TestUpstream`.
    static func withProxy<T>(
        decider: TestDecider, closesReusedConnections: Bool = false,
        configure: (inout EdgeServerConfiguration) -> Void = { _ in },
        _ body: (_ port: Int, _ upstream: TestUpstream) async throws -> T
    ) async throws -> T {
        let upstream = try await TestUpstream.start(
            group: MultiThreadedEventLoopGroup.singleton, closesReusedConnections: closesReusedConnections)
        var configuration = proxyConfiguration(upstreamPort: upstream.port)
        configure(&configuration)
        let result: T
        do {
            result = try await withServer(configuration, decider: decider) { port in try await body(port, upstream) }
        } catch {
            try? await upstream.stop()
            throw error
        }
        try await upstream.stop()
        return result
    }

    static func get(_ url: String, headers: HTTPHeaders = [:]) async throws -> (HTTPClientResponse, String) {
        var request = HTTPClientRequest(url: url)
        request.headers = headers
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response, String(buffer: body))
    }
}
