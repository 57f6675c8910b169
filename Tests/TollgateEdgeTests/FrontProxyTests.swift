import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import TollgateEdge

@Suite(.timeLimit(.minutes(1))) struct FrontProxyTests {
    private static let pass = DecisionRecord(action: "pass", reason: "test")

    @Test func forwardsMethodTargetHeadersAndBody() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/a/b?c=d&e")
            request.method = .PUT
            request.headers = ["x-custom": "one", "user-agent": "TestBot/1.0"]
            request.body = .bytes(ByteBuffer(string: "request body"))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "x-upstream") == "yes")
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "request body")

            let seen = try #require(upstream.requests.first)
            #expect(seen.method == .PUT)
            #expect(seen.uri == "/a/b?c=d&e")
            #expect(seen.headers.first(name: "x-custom") == "one")
            #expect(seen.headers.first(name: "user-agent") == "TestBot/1.0")
            #expect(seen.headers.first(name: "host") == "127.0.0.1:\(port)")
            #expect(String(decoding: seen.body, as: UTF8.self) == "request body")

            let decided = try #require(decider.decided.first)
            #expect(decided.method == "PUT")
            #expect(decided.path == "/a/b")
            #expect(decided.query == "c=d&e")
            #expect(decided.authority == "127.0.0.1:\(port)")
            #expect(decided.scheme == "http")
        }
    }

    @Test func setsForwardedHeadersAndIgnoresThoseOfAnUntrustedClient() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            _ = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/",
                headers: ["x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https", "x-forwarded-host": "evil.example"])
            let seen = try #require(upstream.requests.first)
            #expect(seen.headers["x-forwarded-for"] == ["127.0.0.1"])
            #expect(seen.headers["x-forwarded-proto"] == ["http"])
            #expect(seen.headers["x-forwarded-host"] == ["127.0.0.1:\(port)"])
            #expect(seen.headers.first(name: "via") == "1.1 tollgate-edge")
            #expect(decider.decided.first?.clientAddress == "127.0.0.1")
            #expect(decider.decided.first?.scheme == "http")
        }
    }

    @Test func believesForwardedHeadersFromATrustedProxy() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(
            decider: decider, configure: { $0.trustedProxies = [IPAddressRange("127.0.0.0/8")!] }
        ) { port, upstream in
            _ = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/",
                headers: [
                    "x-forwarded-for": "198.51.100.1, 203.0.113.9, 127.0.0.5", "x-forwarded-proto": "https",
                    "x-forwarded-host": "shop.example",
                ])
            let seen = try #require(upstream.requests.first)
            #expect(seen.headers["x-forwarded-for"] == ["198.51.100.1, 203.0.113.9, 127.0.0.5, 127.0.0.1"])
            #expect(seen.headers["x-forwarded-proto"] == ["https"])
            #expect(seen.headers["x-forwarded-host"] == ["shop.example"])
            // The rightmost hop that is not a trusted proxy; 198.51.100.1 is only the client's claim.
            #expect(decider.decided.first?.clientAddress == "203.0.113.9")
            #expect(decider.decided.first?.scheme == "https")
        }
    }

    @Test func removesHopByHopFieldsBothWays() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, upstream in
            let response = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "GET /hop HTTP/1.1\r\nHost: site.example\r\nConnection: keep-alive, x-hop\r\nx-hop: 1\r\n"
                        + "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9v\r\nTE: trailers\r\n"
                        + "Upgrade: h2c\r\nx-kept: yes\r\n\r\n")
                return try await connection.readResponse()
            }
            let seen = try #require(upstream.requests.first)
            for name in ["connection", "x-hop", "keep-alive", "proxy-authorization", "te", "upgrade"] {
                #expect(!seen.headers.contains(name: name), "\(name) reached the upstream")
            }
            #expect(seen.headers.first(name: "x-kept") == "yes")
            #expect(response.status == 200)
            #expect(response.header("x-upstream") == "yes")
            #expect(!response.hasHeader("keep-alive"))
            #expect(!response.hasHeader("x-upstream-hop"))
        }
    }

    @Test func relaysAResponseHeadAsItCameLessItsHopByHopLines() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, _ in
            let response = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "GET /respond/200 HTTP/1.1\r\nHost: x\r\nx-respond-X-First: 1\r\nx-respond-Connection: keep-alive\r\n"
                        + "x-respond-Keep-Alive: timeout=5\r\nx-respond-Proxy-Thing: p\r\nx-respond-TE: trailers\r\n"
                        + "x-respond-Trailer: x\r\nx-respond-Upgrade: h2c\r\nx-respond-X-Last: 1\r\n\r\n")
                return try await connection.readResponse()
            }
            #expect(response.status == 200 && response.body == "ok")
            // In the upstream's order and spelling, with nothing added but what the client's framing needs.
            #expect(response.headers.map(\.name) == ["content-length", "X-First", "X-Last"])
        }
    }

    @Test func aPricedSitesHookSeesOnlyHeadsThatCarryPayPerCrawlFields() async throws {
        let plan = ForwardPlan(onResponse: OriginPriceHook(), record: .init(action: "pass", reason: "test"))
        try await EdgeHarness.withProxy(decider: .forwarding(plan)) { port, _ in
            let responses = try await RawConnection.with(port: port) { connection in
                var responses: [RawConnection.Response] = []
                for (code, fields) in [
                    (200, "x-respond-crawler-price: USD 1.00\r\nx-respond-crawler-charged: USD 1.00\r\n"),
                    (402, "x-respond-crawler-price: USD 1.00\r\n"), (200, "x-respond-x-plain: 1\r\n"),
                ] {
                    try await connection.send("GET /respond/\(code) HTTP/1.1\r\nHost: x\r\n\(fields)\r\n")
                    responses.append(try await connection.readResponse())
                }
                return responses
            }
            #expect(!responses[0].hasHeader("crawler-price") && !responses[0].hasHeader("crawler-charged"))
            #expect(responses[1].header("crawler-price") == "USD 1.00")
            #expect(responses[2].header("x-plain") == "1")
            #expect(responses.map(\.body) == ["ok", "ok", "ok"])
        }
    }

    @Test func appliesThePlansRequestHeaders() async throws {
        let plan = ForwardPlan(
            requestHeaders: [
                (name: "cf-pay-per-crawl", value: "protocol=cloudflare, pricing=bypass"), (name: "x-custom", value: "ours"),
            ],
            record: Self.pass)
        try await EdgeHarness.withProxy(decider: .forwarding(plan)) { port, upstream in
            _ = try await EdgeHarness.get("http://127.0.0.1:\(port)/", headers: ["x-custom": "theirs"])
            let seen = try #require(upstream.requests.first)
            #expect(seen.headers["cf-pay-per-crawl"] == ["protocol=cloudflare, pricing=bypass"])
            #expect(seen.headers["x-custom"] == ["ours"])
        }
    }

    @Test func answersARespondVerdictWithoutTheUpstream() async throws {
        let record = DecisionRecord(action: "payment_required", reason: "pricing.default", price: "USD 0.01")
        let decider = TestDecider { _, _ in
            .now(.respond(.text(.paymentRequired, "payment required", headers: ["crawler-price": "USD 0.01"]), record))
        }
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/article")
            request.method = .POST
            request.body = .bytes(ByteBuffer(repeating: 7, count: 100_000))
            for _ in 0..<2 {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(response.status == .paymentRequired)
                #expect(response.headers.first(name: "crawler-price") == "USD 0.01")
                #expect(response.headers.first(name: "content-length") == "16")
                #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "payment required")
            }
            #expect(upstream.requests.isEmpty)
            #expect(upstream.connectionCount == 0)
            let completions = try await decider.completions(count: 2)
            #expect(completions.map(\.status) == [.paymentRequired, .paymentRequired])
            #expect(completions.first?.record == record)
        }
    }

    @Test func waitsForALaterVerdictHoldingTheBody() async throws {
        let decider = TestDecider { request, eventLoop in
            let verdict: EdgeVerdict =
                request.path == "/denied"
                ? .respond(.text(.forbidden, "no"), DecisionRecord(action: "block", reason: "test"))
                : .forward(ForwardPlan(record: Self.pass))
            return .later(eventLoop.scheduleTask(in: .milliseconds(50)) { verdict }.futureResult)
        }
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/upload")
            request.method = .POST
            let body = TestPattern.Body(count: 1 << 20, chunkSize: 16 * 1024, produced: ByteCounter())
            request.body = .stream(body, length: .known(Int64(1 << 20)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let expected = Checksum.of(patternBytes: 1 << 20)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "\(expected.count) \(expected.value)")

            let (denied, text) = try await EdgeHarness.get("http://127.0.0.1:\(port)/denied")
            #expect(denied.status == .forbidden)
            #expect(text == "no")
            #expect(upstream.requests.count == 1)
            #expect(try await decider.completions(count: 2).map(\.status) == [.ok, .forbidden])
        }
    }

    @Test func aClientLeavingDuringALaterVerdictIsReportedOnce() async throws {
        let decider = TestDecider { _, eventLoop in
            let verdict = EdgeVerdict.forward(ForwardPlan(record: Self.pass))
            return .later(eventLoop.scheduleTask(in: .milliseconds(200)) { verdict }.futureResult)
        }
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            try await RawConnection.with(port: port) { connection in
                try await connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            }
            let completions = try await decider.completions(count: 1)
            #expect(completions.map(\.status.code) == [499])
            #expect(completions.first?.record.reason == "front.client_closed")
            try await Task.sleep(for: .milliseconds(300))
            #expect(decider.completions.count == 1)
            #expect(upstream.requests.isEmpty)
        }
    }

    @Test func aFailedLaterVerdictIsAnInternalError() async throws {
        struct Broken: Error {}
        let decider = TestDecider { _, eventLoop in .later(eventLoop.makeFailedFuture(Broken())) }
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            let (response, _) = try await EdgeHarness.get("http://127.0.0.1:\(port)/")
            #expect(response.status == .internalServerError)
            #expect(response.headers.first(name: "crawler-error") == "InternalError")
            #expect(upstream.requests.isEmpty)
        }
    }

    @Test func theResponseHookSeesTheUpstreamStatusAndAddsAHeader() async throws {
        let hook = TestHook()
        let decider = TestDecider.forwarding(ForwardPlan(onResponse: hook, record: Self.pass))
        try await EdgeHarness.withProxy(decider: decider) { port, _ in
            let (ok, okBody) = try await EdgeHarness.get("http://127.0.0.1:\(port)/status/200")
            #expect(ok.status == .ok)
            #expect(ok.headers.first(name: "crawler-charged") == "USD 0.01")
            #expect(okBody == "status 200")
            let (missing, _) = try await EdgeHarness.get("http://127.0.0.1:\(port)/status/404")
            #expect(missing.status == .notFound)
            // A streamed body is held back until the hook is done, then flows whole.
            let download = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/download/300000"), timeout: .seconds(10))
            #expect(download.headers.first(name: "crawler-charged") == "USD 0.01")
            var checksum = Checksum()
            for try await buffer in download.body { checksum.update(buffer) }
            #expect(checksum == Checksum.of(patternBytes: 300_000))
            #expect(hook.statuses == [.ok, .notFound, .ok])
        }
    }

    @Test func aHookMayAnswerInsteadOfTheUpstream() async throws {
        struct Replacing: UpstreamResponseHook {
            func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HookDecision> {
                let response = EdgeResponse.text(.paymentRequired, "pay first\n", headers: ["crawler-price": "USD 0.05"])
                return eventLoop.makeSucceededFuture(.replace(response, record: DecisionRecord(action: "payment_required", reason: "test.replaced")))
            }
        }
        let decider = TestDecider.forwarding(ForwardPlan(onResponse: Replacing(), record: Self.pass))
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            try await RawConnection.with(port: port) { connection in
                // A large upstream body is dropped, not relayed; the connection goes on serving.
                for _ in 0..<2 {
                    try await connection.send("GET /download/300000 HTTP/1.1\r\nHost: x\r\n\r\n")
                    let response = try await connection.readResponse()
                    #expect(response.status == 402 && response.body == "pay first\n")
                    #expect(response.header("crawler-price") == "USD 0.05")
                }
            }
            #expect(upstream.requests.count == 2)
            #expect(try await decider.completions(count: 2).map(\.record.reason) == ["test.replaced", "test.replaced"])
        }
    }

    @Test func aFailingHookGivesAnInternalError() async throws {
        let decider = TestDecider.forwarding(ForwardPlan(onResponse: TestHook(fails: true), record: Self.pass))
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            for _ in 0..<2 {
                let (response, body) = try await EdgeHarness.get("http://127.0.0.1:\(port)/status/200")
                #expect(response.status == .internalServerError)
                #expect(response.headers.first(name: "crawler-error") == "InternalError")
                #expect(response.headers.first(name: "content-type") == "text/plain; charset=utf-8")
                #expect(body == "internal error")
            }
            // The upstream connection is closed rather than reused after a failed hook.
            #expect(upstream.connectionCount == 2)
            #expect(try await decider.completions(count: 2).map(\.status) == [.internalServerError, .internalServerError])
        }
    }

    @Test func reusesUpstreamConnections() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(decider: decider) { port, upstream in
            for index in 0..<20 {
                let (response, _) = try await EdgeHarness.get("http://127.0.0.1:\(port)/n/\(index)")
                #expect(response.status == .ok)
            }
            #expect(upstream.requests.count == 20)
            #expect(upstream.connectionCount <= 2)
            let completions = try await decider.completions(count: 20)
            #expect(completions.count == 20)
            #expect(completions.allSatisfy { $0.status == .ok && $0.seconds >= 0 && $0.seconds < 5 })
        }
    }

    @Test func retriesABodylessRequestWhenAPooledConnectionWasClosed() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding(), closesReusedConnections: true) { port, upstream in
            for _ in 0..<3 {
                let (response, _) = try await EdgeHarness.get("http://127.0.0.1:\(port)/")
                #expect(response.status == .ok)
            }
            #expect(upstream.requests.count == 3)
        }
    }

    @Test func anUnreachableUpstreamIsABadGateway() async throws {
        let upstream = try await TestUpstream.start(group: MultiThreadedEventLoopGroup.singleton)
        let closedPort = upstream.port
        try await upstream.stop()
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withServer(EdgeHarness.proxyConfiguration(upstreamPort: closedPort), decider: decider) { port in
            let (response, body) = try await EdgeHarness.get("http://127.0.0.1:\(port)/")
            #expect(response.status == .badGateway)
            #expect(body == "upstream unavailable")
            #expect(try await decider.completions(count: 1).map(\.status) == [.badGateway])
        }
    }

    @Test func aSilentUpstreamIsAGatewayTimeout() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withProxy(
            decider: decider,
            configure: { configuration in
                guard case .reverseProxy(var upstream) = configuration.mode else { return }
                // Short enough for a quick test, long enough that a loaded machine answers the second request in time.
                upstream.responseHeadTimeout = .seconds(2)
                configuration.mode = .reverseProxy(upstream)
            }
        ) { port, _ in
            let started = ContinuousClock.now
            let (response, _) = try await EdgeHarness.get("http://127.0.0.1:\(port)/slow")
            #expect(response.status == .gatewayTimeout)
            #expect(ContinuousClock.now - started < .seconds(20))
            // The connection goes on serving.
            let (next, _) = try await EdgeHarness.get("http://127.0.0.1:\(port)/")
            #expect(next.status == .ok)
            #expect(try await decider.completions(count: 2).map(\.status) == [.gatewayTimeout, .ok])
        }
    }

    @Test func rejectsAnOversizedHeaderSection() async throws {
        try await EdgeHarness.withProxy(decider: .forwarding()) { port, upstream in
            let response = try await RawConnection.with(port: port) { connection in
                let filler = String(repeating: "a", count: 70 * 1024)
                try await connection.send("GET / HTTP/1.1\r\nHost: x\r\nx-big: \(filler)\r\n\r\n")
                return try await connection.readResponse()
            }
            #expect(response.status == 431)
            #expect(upstream.requests.isEmpty)
        }
    }
}
