import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Testing
@testable import TollgateEdge

/// Bodies stream through in bounded memory: while one side stops reading, the other stops being read.
@Suite(.timeLimit(.minutes(1))) struct FrontStreamingTests {
    private static let size = 64 << 20
    /// Far below the 64 MiB body, above what the loopback socket buffers of two hops can hold.
    private static let bound = 40 << 20

    /// Polls every 20 ms for up to 10 s.
    private static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func streamsALargeUploadWithBackpressure() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let produced = ByteCounter()
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/upload")
            request.method = .POST
            // The upstream reads nothing for the first 3 s after the request head reaches it.
            request.headers = ["x-hold-ms": "3000"]
            request.body = .stream(
                TestPattern.Body(count: Self.size, chunkSize: 64 * 1024, produced: produced),
                length: .known(Int64(Self.size)))
            async let response = HTTPClient.shared.execute(request, timeout: .seconds(50))
            // Once the body has started (a loaded machine may take a while), let the buffers fill, still within the hold.
            try await Self.waitUntil { produced.value > 0 }
            try await Task.sleep(for: .milliseconds(500))
            let takenWhileHeld = produced.value
            #expect(takenWhileHeld > 0)
            #expect(takenWhileHeld < Self.bound)

            let body = try await response.body.collect(upTo: 1024)
            let expected = Checksum.of(patternBytes: Self.size)
            #expect(String(buffer: body) == "\(expected.count) \(expected.value)")
        }
    }

    @Test func streamsALargeDownloadWithBackpressure() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, upstream in
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/download/\(Self.size)"), timeout: .seconds(50))
            #expect(response.headers.first(name: "content-length") == String(Self.size))
            // The client reads nothing yet.
            try await Self.waitUntil { upstream.bytesWritten > 0 }
            try await Task.sleep(for: .milliseconds(500))
            let sentWhileStalled = upstream.bytesWritten
            #expect(sentWhileStalled > 0)
            #expect(sentWhileStalled < Self.bound)

            var checksum = Checksum()
            for try await buffer in response.body { checksum.update(buffer) }
            #expect(checksum == Checksum.of(patternBytes: Self.size))
        }
    }

    @Test func rechunksADownloadWithoutLength() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let size = 3 << 20
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/download/\(size)?chunked"), timeout: .seconds(20))
            #expect(response.headers.first(name: "transfer-encoding") == "chunked")
            var checksum = Checksum()
            for try await buffer in response.body { checksum.update(buffer) }
            #expect(checksum == Checksum.of(patternBytes: size))
        }
    }

    @Test func aClientLeavingMidBodyClosesTheUpstreamConnection() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            try await RawConnection.with(port: port) { connection in
                try await connection.send("GET /download/\(Self.size) HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try await connection.readString(count: 1000)
            }
            #expect(try await decider.completions(count: 1).map(\.status) == [.ok])
            let (response, _) = try await EdgeHarness.get("http://127.0.0.1:\(port)/")
            #expect(response.status == .ok)
            // The abandoned upstream connection was not pooled: the next request needed a new one.
            #expect(upstream.connectionCount == 2)
        }
    }

    @Test func anUpstreamResetMidBodyClosesTheClientConnection() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let received = try await RawConnection.with(port: port) { connection in
                try await connection.send("GET /truncated HTTP/1.1\r\nHost: x\r\n\r\n")
                return try await connection.readToEnd()
            }
            let text = String(buffer: received)
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.hasSuffix("\r\n\r\n0123456789"))
        }
    }
}
