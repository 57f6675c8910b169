import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import TollgateEdge

@Suite(.timeLimit(.minutes(1))) struct FrontServerTests {
    @Test func shutsDownGracefullyLettingRequestsFinish() async throws {
        let upstream = try await TestUpstream.start(group: MultiThreadedEventLoopGroup.singleton)
        let decider = TestDecider.forwarding()
        let server = EdgeServer(configuration: EdgeHarness.proxyConfiguration(upstreamPort: upstream.port), decider: decider)
        let run = Task { try await server.run() }
        let port = try await server.boundAddress.port!
        #expect(port > 0)

        async let inFlight = EdgeHarness.get("http://127.0.0.1:\(port)/delay/400")
        // Shut down once the request is in flight (it reached the upstream), however loaded the machine is.
        let deadline = ContinuousClock.now + .seconds(10)
        while upstream.requests.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let shutdownStarted = ContinuousClock.now
        server.shutdownGracefully()
        let (response, body) = try await inFlight
        #expect(response.status == .ok)
        #expect(body == "delayed")
        try await run.value
        #expect(ContinuousClock.now - shutdownStarted < .seconds(10))

        await #expect(throws: (any Error).self) {
            try await RawConnection.with(port: port) { connection in
                try await connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                return try await connection.readResponse()
            }
        }
        try await upstream.stop()
    }

    @Test func closesWhatIsLeftAfterTheGracePeriod() async throws {
        let upstream = try await TestUpstream.start(group: MultiThreadedEventLoopGroup.singleton)
        var configuration = EdgeHarness.proxyConfiguration(upstreamPort: upstream.port)
        configuration.shutdownGracePeriod = .milliseconds(200)
        let server = EdgeServer(configuration: configuration, decider: TestDecider.forwarding())
        let run = Task { try await server.run() }
        let port = try await server.boundAddress.port!

        let stuck = Task { try await EdgeHarness.get("http://127.0.0.1:\(port)/slow") }
        try await Task.sleep(for: .milliseconds(100))
        let shutdownStarted = ContinuousClock.now
        server.shutdownGracefully()
        try await run.value
        // Without the grace period's end the stuck request would hold the server forever; any bound shows it.
        #expect(ContinuousClock.now - shutdownStarted < .seconds(10))
        await #expect(throws: (any Error).self) { try await stuck.value }
        try await upstream.stop()
    }

    @Test func closesIdleConnectionsAfterTheIdleTimeout() async throws {
        var configuration = EdgeServerConfiguration(host: "127.0.0.1", port: 0, mode: .forwardAuth, threads: 1)
        configuration.idleTimeout = .seconds(1)
        try await EdgeHarness.withServer(configuration, decider: TestDecider.forwarding()) { port in
            // On a loaded machine the test may send its request only after the timeout, and the server rightly closes
            // first; that attempt proves nothing either way, so it is made again.
            for attempt in 1... {
                do {
                    let (first, rest) = try await RawConnection.with(port: port) { connection in
                        try await connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                        return (try await connection.readResponse(), try await connection.readToEnd())
                    }
                    #expect(first.status == 200)
                    #expect(rest.readableBytes == 0)
                    return
                } catch where attempt < 5 {
                    continue
                }
            }
        }
    }

    @Test func reportsABindFailure() async throws {
        let occupied = try await TestUpstream.start(group: MultiThreadedEventLoopGroup.singleton)
        let server = EdgeServer(
            configuration: EdgeServerConfiguration(host: "127.0.0.1", port: occupied.port, mode: .forwardAuth, threads: 1),
            decider: TestDecider.forwarding())
        await #expect(throws: (any Error).self) { try await server.run() }
        await #expect(throws: (any Error).self) { try await server.boundAddress }
        try await occupied.stop()
    }
}
