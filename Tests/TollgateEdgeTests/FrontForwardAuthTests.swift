import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import TollgateEdge

@Suite(.timeLimit(.minutes(1))) struct FrontForwardAuthTests {
    private static let configuration = EdgeServerConfiguration(host: "127.0.0.1", port: 0, mode: .forwardAuth, threads: 1)
    private static let pass = DecisionRecord(action: "pass", reason: "test")

    @Test func describesTheOriginalRequestFromTraefikHeaders() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withServer(Self.configuration, decider: decider) { port in
            let (response, _) = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/auth",
                headers: [
                    "x-forwarded-method": "POST", "x-forwarded-proto": "https", "x-forwarded-host": "shop.example",
                    "x-forwarded-uri": "/article/1?ref=feed", "x-forwarded-for": "198.51.100.7",
                    "user-agent": "GPTBot/1.2", "signature-agent": "\"https://crawler.example\"",
                ])
            #expect(response.status == .ok)
            let request = try #require(decider.decided.first)
            #expect(request.method == "POST")
            #expect(request.scheme == "https")
            #expect(request.authority == "shop.example")
            #expect(request.path == "/article/1")
            #expect(request.query == "ref=feed")
            #expect(request.clientAddress == "198.51.100.7")
            #expect(request.headers.first(name: "user-agent") == "GPTBot/1.2")
            #expect(request.headers.first(name: "signature-agent") == "\"https://crawler.example\"")
            #expect(request.headers.first(name: "host") == "shop.example")
            #expect(!request.headers.contains(name: "x-forwarded-uri"))
            #expect(!request.headers.contains(name: "x-forwarded-method"))
        }
    }

    @Test func describesTheOriginalRequestFromNginxHeaders() async throws {
        let decider = TestDecider.forwarding()
        try await EdgeHarness.withServer(Self.configuration, decider: decider) { port in
            _ = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/_auth",
                headers: [
                    "host": "blog.example", "x-original-method": "GET", "x-original-uri": "/post?id=3",
                    "x-real-ip": "203.0.113.50",
                ])
            let request = try #require(decider.decided.first)
            #expect(request.method == "GET")
            #expect(request.authority == "blog.example")
            #expect(request.target == "/post?id=3")
            #expect(request.scheme == "http")
            #expect(request.clientAddress == "203.0.113.50")
        }
    }

    @Test func allowsWithThePlansHeadersAndChargesThroughTheHook() async throws {
        let hook = TestHook()
        let plan = ForwardPlan(
            requestHeaders: [(name: "cf-pay-per-crawl", value: "protocol=cloudflare, pricing=zone-default")],
            onResponse: hook, record: DecisionRecord(action: "charge", reason: "pricing.default", price: "USD 0.01"))
        let decider = TestDecider.forwarding(plan)
        try await EdgeHarness.withServer(Self.configuration, decider: decider) { port in
            let (response, body) = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/auth", headers: ["x-forwarded-uri": "/paid", "x-forwarded-host": "site.example"])
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "cf-pay-per-crawl") == "protocol=cloudflare, pricing=zone-default")
            #expect(response.headers.first(name: "crawler-charged") == "USD 0.01")
            #expect(response.headers.first(name: "content-length") == "0")
            #expect(body.isEmpty)
            #expect(hook.statuses == [.ok])
            let completions = try await decider.completions(count: 1)
            #expect(completions.map(\.status) == [.ok])
            #expect(completions.first?.record.action == "charge")
        }
    }

    @Test func deniesWithTheResponseAsIs() async throws {
        let decider = TestDecider { request, _ in
            if request.path == "/free" { return .now(.forward(ForwardPlan(record: Self.pass))) }
            return .now(
                .respond(
                    .text(
                        .paymentRequired, "payment required",
                        headers: ["crawler-price": "USD 0.05", "cache-control": "private, no-store"]),
                    DecisionRecord(action: "payment_required", reason: "pricing.default")))
        }
        try await EdgeHarness.withServer(Self.configuration, decider: decider) { port in
            let (denied, body) = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/auth", headers: ["x-forwarded-uri": "/article"])
            #expect(denied.status == .paymentRequired)
            #expect(denied.headers.first(name: "crawler-price") == "USD 0.05")
            #expect(denied.headers.first(name: "cache-control") == "private, no-store")
            #expect(body == "payment required")
            let (allowed, _) = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/auth", headers: ["x-forwarded-uri": "/free"])
            #expect(allowed.status == .ok)
            let completions = try await decider.completions(count: 2)
            #expect(completions.map(\.status) == [.paymentRequired, .ok])
            #expect(completions.map(\.request.path) == ["/article", "/free"])
        }
    }

    @Test func trustsOnlyConfiguredProxiesWhenAListIsGiven() async throws {
        let decider = TestDecider.forwarding()
        var configuration = Self.configuration
        configuration.trustedProxies = [IPAddressRange("10.0.0.0/8")!]
        try await EdgeHarness.withServer(configuration, decider: decider) { port in
            _ = try await EdgeHarness.get(
                "http://127.0.0.1:\(port)/auth",
                headers: ["x-forwarded-for": "198.51.100.7", "x-forwarded-host": "spoofed.example", "host": "real.example"])
            let request = try #require(decider.decided.first)
            #expect(request.clientAddress == "127.0.0.1")
            #expect(request.authority == "real.example")
        }
    }
}
