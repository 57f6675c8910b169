import NIOCore
import NIOHTTP1
import Testing
@testable import TollgateEdge

/// HTTP/1 details, over raw connections.
@Suite(.timeLimit(.minutes(1))) struct FrontProtocolTests {
    @Test func answersAnHTTP10ClientWithoutChunking() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, upstream in
            let closeDelimited = try await RawConnection.with(port: port) { connection in
                try await connection.send("GET /chunked HTTP/1.0\r\n\r\n")
                return try await connection.readResponse()
            }
            #expect(closeDelimited.version == "HTTP/1.0")
            #expect(!closeDelimited.hasHeader("transfer-encoding"))
            #expect(closeDelimited.body == "hello chunked")
            // The upstream got an HTTP/1.1 request with a Host.
            #expect(upstream.requests.first?.headers.first(name: "host") == "127.0.0.1:\(upstream.port)")

            let keptAlive = try await RawConnection.with(port: port) { connection in
                try await connection.send("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi")
                let first = try await connection.readResponse()
                try await connection.send("GET /status/202 HTTP/1.0\r\n\r\n")
                return (first, try await connection.readResponse())
            }
            #expect(keptAlive.0.header("connection") == "keep-alive")
            #expect(keptAlive.0.body == "hi")
            #expect(keptAlive.1.status == 202)
        }
    }

    @Test func aResponseHeadIsNotHeldForItsBody() async throws {
        // The agent keeps a head back to send it with the body's first bytes, but only until the read that brought it
        // is done: a head whose body comes later goes out on its own.
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let (bytesAfterHead, response) = try await RawConnection.with(port: port) { connection in
                try await connection.send("GET /late-body HTTP/1.1\r\nHost: x\r\n\r\n")
                return (try await connection.waitForHead(), try await connection.readResponse())
            }
            #expect(bytesAfterHead == 0)
            #expect(response.status == 200)
            #expect(response.body == "hello")
        }
    }

    @Test func answersExpectContinue() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, upstream in
            let (interim, final) = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                let interim = try await connection.readResponse()
                try await connection.send("hello")
                return (interim, try await connection.readResponse())
            }
            #expect(interim.status == 100)
            #expect(final.status == 200)
            #expect(final.body == "hello")
            #expect(upstream.requests.first?.headers.contains(name: "expect") == false)
        }
    }

    @Test func refusedExpectContinueClosesTheConnection() async throws {
        let decider = TestDecider { _, _ in
            .now(.respond(.text(.forbidden, "no"), DecisionRecord(action: "block", reason: "test")))
        }
        try await EdgeHarness.withProxy(decider: decider) { port, _ in
            let response = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                let response = try await connection.readResponse()
                #expect(try await connection.readToEnd().readableBytes == 0)
                return response
            }
            #expect(response.status == 403)
            #expect(response.header("connection") == "close")
        }
    }

    @Test func headResponsesCarryNoBody() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let responses = try await RawConnection.with(port: port) { connection in
                var responses: [RawConnection.Response] = []
                for request in ["HEAD /chunked", "HEAD /", "GET /status/201"] {
                    try await connection.send("\(request) HTTP/1.1\r\nHost: x\r\n\r\n")
                    responses.append(try await connection.readResponse(bodyless: request.hasPrefix("HEAD")))
                }
                return responses
            }
            #expect(responses.map(\.status) == [200, 200, 201])
            #expect(!responses[0].hasHeader("transfer-encoding"))
            #expect(responses[1].header("content-length") == "0")
            #expect(responses[2].body == "status 201")
        }
    }

    @Test func servesPipelinedRequestsInOrder() async throws {
        let decider = TestDecider { request, eventLoop in
            let verdict = EdgeVerdict.forward(ForwardPlan(record: DecisionRecord(action: "pass", reason: "test")))
            // The first decision takes longer, so order must come from the front end.
            if request.path == "/status/201" {
                return .later(eventLoop.scheduleTask(in: .milliseconds(50)) { verdict }.futureResult)
            }
            return .now(verdict)
        }
        try await EdgeHarness.withProxy(decider: decider) { port, _ in
            let statuses = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\nPOST /status/202 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                        + "GET /status/203 HTTP/1.1\r\nHost: x\r\n\r\n")
                var statuses: [Int] = []
                for _ in 0..<3 { statuses.append(try await connection.readResponse().status) }
                return statuses
            }
            #expect(statuses == [201, 202, 203])
        }
    }

    @Test func forwardsAChunkedRequestBody() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, upstream in
            let response = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                return try await connection.readResponse()
            }
            #expect(response.body == "hello world")
            #expect(upstream.requests.first?.headers.first(name: "transfer-encoding") == "chunked")
        }
    }

    @Test func acceptsAnAbsoluteFormTarget() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            _ = try await RawConnection.with(port: port) { connection in
                try await connection.send("GET http://site.example/abs?x=1 HTTP/1.1\r\nHost: site.example\r\n\r\n")
                return try await connection.readResponse()
            }
            #expect(upstream.requests.first?.uri == "/abs?x=1")
            #expect(decider.decided.first?.authority == "site.example")
            #expect(decider.decided.first?.target == "/abs?x=1")
        }
    }

    @Test func aRefusedUpgradeIsAnsweredAndEndsTheConnection() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let (response, rest) = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "GET /status/426 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
                return (try await connection.readResponse(), try await connection.readToEnd())
            }
            #expect(response.status == 426)
            #expect(response.header("connection") == "close")
            #expect(rest.readableBytes == 0)
        }
    }

    @Test func relaysAWebSocketAfterTheUpgrade() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            let (handshake, greeting, echoed, rest) = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                let handshake = try await connection.readResponse()
                // Sent right behind the 101: the proxy read it with the head and must pass it on.
                let greeting = try await connection.readString(count: 5)
                try await connection.send("frames, not HTTP\r\n\r\n")
                let echoed = try await connection.readString(count: 20)
                try await connection.send("more")
                // Half-close: the echo server ends its side once it has echoed everything.
                connection.finishSending()
                return (handshake, greeting, echoed, String(buffer: try await connection.readToEnd()))
            }
            #expect(handshake.status == 101)
            #expect(greeting == "hello")
            #expect(handshake.header("upgrade") == "websocket")
            #expect(handshake.header("connection")?.lowercased() == "upgrade")
            #expect(echoed == "frames, not HTTP\r\n\r\n")
            #expect(rest == "more")
            let seen = try #require(upstream.requests.first)
            #expect(seen.headers.first(name: "upgrade") == "websocket")
            #expect(seen.headers.first(name: "connection") == "upgrade")
            #expect(try await decider.completions(count: 1).map(\.status) == [.switchingProtocols])
        }
    }

    @Test func bytesSentWithTheUpgradeRequestReachTheUpstreamAfterThe101() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let (handshake, echoed) = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nearly frame")
                let handshake = try await connection.readResponse()
                _ = try await connection.readString(count: 5)
                connection.finishSending()
                return (handshake, String(buffer: try await connection.readToEnd()))
            }
            #expect(handshake.status == 101)
            #expect(echoed == "early frame")
        }
    }

    @Test func refusesAmbiguousRequestsBeforeDecidingOrForwarding() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            let cases: [(String, Int, String)] = [
                // CL.TE smuggling: the bytes after the chunked body would be a second request to some upstreams.
                ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin",
                    400, "bad request: ambiguous message framing"),
                ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad request: a request needs exactly one Host"),
                ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "only HTTP/1.0 and HTTP/1.1"),
                ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "only the chunked"),
            ]
            for (request, status, text) in cases {
                let (response, rest) = try await RawConnection.with(port: port) { connection in
                    try await connection.send(request)
                    return (try await connection.readResponse(), try await connection.readToEnd())
                }
                #expect(response.status == status, "\(request.debugDescription)")
                #expect(response.body.hasPrefix(text), "\(response.body)")
                #expect(response.header("connection") == "close")
                #expect(rest.readableBytes == 0)
            }
            #expect(upstream.requests.isEmpty)
            #expect(decider.decided.isEmpty)
        }
    }

    @Test func aMalformedPipelinedRequestIsAnsweredInItsTurn() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, upstream in
            let (first, second, rest) = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost : x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
                return (
                    try await connection.readResponse(), try await connection.readResponse(),
                    try await connection.readToEnd()
                )
            }
            #expect(first.status == 201)
            #expect(second.status == 400)
            #expect(second.body == "bad request: malformed header field")
            #expect(rest.readableBytes == 0)
            #expect(upstream.requests.count == 1)
        }
    }
}
