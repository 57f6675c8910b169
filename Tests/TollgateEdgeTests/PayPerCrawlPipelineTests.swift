import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TollgateCore
@testable import TollgateEdge

@Suite struct PayPerCrawlPipelineTests {
    @Test func unpaidSignedRequestGets402WithPriceOfferAndLicense() throws {
        let fixture = try EdgeFixture()
        let verdict = try fixture.decide(fixture.request("/article", signedWith: EdgeFixture.testKey))
        let response = try #require(verdict.response)
        #expect(response.status == .paymentRequired)
        #expect(response.headers["crawler-price"] == ["USD 0.01"])
        #expect(response.headers["crawler-error"] == ["MissingCrawlerPrice"])
        #expect(response.headers["cache-control"] == ["private, no-store"])
        #expect(response.headers["content-type"] == ["text/plain; charset=utf-8"])
        #expect(response.headers["link"] == ["<https://shop.example/license.xml>; rel=\"license\""])
        let offer = try #require(response.headers.first(name: "payment-required"))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(base64Encoded: offer)!) as? [String: Any])
        #expect(json["x402Version"] as? Int == 2)
        let accepts = try #require((json["accepts"] as? [[String: Any]])?.first)
        #expect(accepts["scheme"] as? String == "deferred")
        #expect(accepts["network"] as? String == "tollgate:402")
        #expect(accepts["amount"] as? String == "1")
        #expect(accepts["asset"] as? String == "USD")
        #expect(verdict.record.action == "payment_required")
        #expect(verdict.record.crawler == "ExampleBot")
    }

    @Test func exactPriceIsChargedOnlyOn2xxAndSpooledBeforeTheHeadIsReleased() async throws {
        let fixture = try EdgeFixture()
        let request = try fixture.request(
            "/article?id=7", headers: [("crawler-exact-price", "USD 0.01")], signedWith: EdgeFixture.testKey)
        let plan = try #require(try fixture.decide(request).plan)
        #expect(plan.record.action == "charge")
        #expect(plan.requestHeaders.contains { $0.name == "cf-pay-per-crawl" && $0.value == "protocol=cloudflare, pricing=zone-default" })
        #expect(plan.requestHeaders.contains { $0.name == "x-tollgate-crawler" && $0.value == "ExampleBot" })

        let notFound = try await fixture.upstreamAnswers(.notFound, to: plan, headers: ["crawler-price": "USD 9.00"])
        #expect(notFound.headers["crawler-charged"].isEmpty)
        #expect(notFound.headers["crawler-price"].isEmpty)
        #expect(fixture.spool.unacknowledgedCount == 0)

        let ok = try await fixture.upstreamAnswers(.ok, to: plan)
        #expect(ok.headers["crawler-charged"] == ["USD 0.01"])
        let spooled = fixture.spool.unacknowledged(limit: 10)
        #expect(spooled.count == 1)
        #expect(spooled.first?.price == EdgeFixture.price)
        #expect(spooled.first?.crawlerAccountID == EdgeFixture.accountID)
        #expect(spooled.first?.siteID == EdgeFixture.siteID)
        #expect(spooled.first?.url == "https://shop.example/article?id=7")
        #expect(spooled.first?.sequence == 1)
    }

    @Test func aRetriedSignedRequestIsNotBilledTwice() async throws {
        let fixture = try EdgeFixture()
        let request = try fixture.request("/a", headers: [("crawler-exact-price", "USD 0.01")], signedWith: EdgeFixture.testKey)
        let first = try #require(try fixture.decide(request).plan)
        #expect(try await fixture.upstreamAnswers(.ok, to: first).headers["crawler-charged"] == ["USD 0.01"])
        // The same signed request again (same nonce): served, says what it cost, spools nothing more.
        let retry = try #require(try fixture.decide(request).plan)
        #expect(try await fixture.upstreamAnswers(.ok, to: retry).headers["crawler-charged"] == ["USD 0.01"])
        #expect(fixture.spool.unacknowledged(limit: 10).count == 1)
        // A new signature (new nonce) is a new crawl, billed again.
        let again = try fixture.request("/a", headers: [("crawler-exact-price", "USD 0.01")], signedWith: EdgeFixture.testKey)
        let againPlan = try #require(try fixture.decide(again).plan)
        _ = try await fixture.upstreamAnswers(.ok, to: againPlan)
        #expect(fixture.spool.unacknowledged(limit: 10).count == 2)
    }

    @Test func recentChargesForgetKeysOnceTheirSignatureLapses() {
        let recent = RecentCharges(capacity: 2)
        let now = Date(timeIntervalSince1970: 1_000)
        #expect(recent.claim("a", until: 1_010, now: now))
        #expect(!recent.claim("a", until: 1_010, now: now))
        #expect(recent.claim("b", until: 1_020, now: now))
        // Full: the entry lapsing first makes room.
        #expect(recent.claim("c", until: 1_030, now: now))
        #expect(recent.count == 2)
        #expect(recent.claim("a", until: 1_040, now: now))
        #expect(recent.claim("b", until: 1_050, now: Date(timeIntervalSince1970: 1_021)))
    }

    @Test func priceOffersAreCheckedAsCloudflareDoes() throws {
        let fixture = try EdgeFixture()
        func answer(_ headers: [(String, String)]) throws -> EdgeVerdict {
            try fixture.decide(fixture.request("/a", headers: headers, signedWith: EdgeFixture.testKey))
        }
        let wrongExact = try #require(try answer([("crawler-exact-price", "USD 0.02")]).response)
        #expect(wrongExact.status == .paymentRequired)
        #expect(wrongExact.headers["crawler-error"] == ["InvalidCrawlerExactPrice"])
        #expect(wrongExact.headers["crawler-price"] == ["USD 0.01"])

        let lowMax = try #require(try answer([("crawler-max-price", "USD 0.005")]).response)
        #expect(lowMax.headers["crawler-error"] == ["InvalidCrawlerMaxPrice"])

        #expect(try answer([("crawler-max-price", "USD 0.05")]).plan?.record.action == "charge")

        let both = try #require(try answer([("crawler-exact-price", "USD 0.01"), ("crawler-max-price", "USD 0.01")]).response)
        #expect(both.status == .badRequest)
        #expect(both.headers["crawler-error"] == ["ConflictingPriceHeaders"])

        let malformed = try #require(try answer([("crawler-max-price", "0.01 dollars")]).response)
        #expect(malformed.status == .badRequest)
        #expect(malformed.headers["crawler-error"] == ["InvalidCrawlerPriceValue"])

        let otherCurrency = try #require(try answer([("crawler-exact-price", "EUR 0.01")]).response)
        #expect(otherCurrency.headers["crawler-error"] == ["InvalidCrawlerExactPrice"])
    }

    @Test func priceHeadersMustBeSigned() throws {
        let fixture = try EdgeFixture()
        let unsigned = try #require(
            try fixture.decide(fixture.request("/a", headers: [("crawler-exact-price", "USD 0.01")])).response)
        #expect(unsigned.status == .badRequest)
        #expect(unsigned.headers["crawler-error"] == ["StrongAuthRequired"])

        // Signed, then the price header swapped: the signature no longer verifies.
        var tampered = try fixture.request("/a", headers: [("crawler-exact-price", "USD 0.01")], signedWith: EdgeFixture.testKey)
        tampered.headers.replaceOrAdd(name: "crawler-exact-price", value: "USD 0.001")
        let refused = try #require(try fixture.decide(tampered).response)
        #expect(refused.status == .badRequest)
        #expect(refused.headers["crawler-error"] == ["InvalidSignature"])

        var half = try fixture.request("/a", signedWith: EdgeFixture.testKey)
        half.headers.remove(name: "signature")
        #expect(try fixture.decide(half).response?.headers["crawler-error"] == ["InvalidSignature"])

        let stranger = Curve25519Key.random()
        let unknown = try #require(
            try fixture.decide(fixture.request("/a", headers: [("crawler-exact-price", "USD 0.01")], signedWith: stranger)).response)
        #expect(unknown.headers["crawler-error"] == ["StrongAuthRequired"])
        #expect(unknown.text.contains("not registered"))
    }

    @Test func freePathsHumansAndBlockedCrawlers() async throws {
        let fixture = try EdgeFixture()
        let robots = try #require(try fixture.decide(fixture.request("/robots.txt", signedWith: EdgeFixture.badKey)).plan)
        #expect(robots.record.reason == "pricing.free_path")
        #expect(robots.requestHeaders.contains { $0.name == "cf-pay-per-crawl" && $0.value == "protocol=cloudflare, pricing=bypass" })
        #expect(try fixture.decide(fixture.request("/public/logo.png")).plan?.record.reason == "pricing.free_path")

        let human = try #require(try fixture.decide(fixture.request("/article", headers: [("user-agent", "Mozilla/5.0")])).plan)
        #expect(human.record.action == "pass")
        #expect(human.record.crawler == nil)
        #expect(human.removedRequestHeaders.contains("x-tollgate-crawler"))
        let humanHead = try await fixture.upstreamAnswers(.ok, to: human, headers: ["crawler-price": "USD 1.00", "x-app": "1"])
        #expect(humanHead.headers["crawler-price"].isEmpty)
        #expect(humanHead.headers["x-app"] == ["1"])
        #expect(humanHead.headers["crawler-charged"].isEmpty)

        let blocked = try #require(
            try fixture.decide(fixture.request("/article", headers: [("crawler-max-price", "USD 1.00")], signedWith: EdgeFixture.badKey)).response)
        #expect(blocked.status == .forbidden)
        #expect(blocked.headers["crawler-error"] == ["CrawlerForbidden"])
        #expect(fixture.spool.unacknowledgedCount == 0)
    }

    @Test func blocklistBeatsPaymentAndAllowEntriesExempt() throws {
        var bundle = EdgeFixture.bundle()
        bundle.full = false
        bundle.blocklist = [
            SyncBlockEntry(id: UUID(), tenantID: EdgeFixture.tenantID, scope: .range, value: "203.0.113.0/24", action: .block, reason: "scraping", expiresAt: nil),
            SyncBlockEntry(id: UUID(), tenantID: EdgeFixture.tenantID, scope: .ip, value: "203.0.113.9", action: .allow, reason: "partner", expiresAt: nil),
            SyncBlockEntry(id: UUID(), tenantID: nil, scope: .userAgent, value: "EvilScraper", action: .block, reason: "abuse", expiresAt: nil),
            SyncBlockEntry(id: UUID(), tenantID: UUID(), scope: .ip, value: "198.51.100.7", action: .block, reason: "other tenant", expiresAt: nil),
            SyncBlockEntry(id: UUID(), tenantID: EdgeFixture.tenantID, scope: .ip, value: "192.0.2.1", action: .block, reason: "lapsed", expiresAt: Date(timeIntervalSinceNow: -1)),
        ]
        let fixture = try EdgeFixture()
        fixture.store.apply(bundle)
        let paid = [("crawler-exact-price", "USD 0.01")]
        let inRange = try #require(try fixture.decide(fixture.request("/a", headers: paid, signedWith: EdgeFixture.testKey, client: "203.0.113.200")).response)
        #expect(inRange.status == .forbidden)
        #expect(inRange.headers["crawler-error"] == ["CrawlerForbidden"])
        #expect(try fixture.decide(fixture.request("/a", client: "203.0.113.9")).plan?.record.reason == "blocklist.ip")
        #expect(try fixture.decide(fixture.request("/a", headers: [("user-agent", "Mozilla/5.0 evilscraper/2")])).response?.status == .forbidden)
        #expect(try fixture.decide(fixture.request("/a")).plan?.record.reason == "default.anonymous")
        #expect(try fixture.decide(fixture.request("/a", client: "192.0.2.1")).plan != nil)
    }

    @Test func crawlTokensPayUpToTheirMaxPriceAndAreStrippedFromTheUpstreamRequest() async throws {
        let fixture = try EdgeFixture()
        let signingKey = CrawlTokenSigningKey(privateKey: EdgeFixture.tokenKey)
        func token(max: Int64, scope: CrawlTokenScope = .all, id: UUID = UUID()) throws -> String {
            try CrawlTokenKeyring(activeKey: signingKey).issue(CrawlTokenClaims(
                tokenID: id, crawlerAccountID: EdgeFixture.accountID, scope: scope,
                maxPrice: Money(micros: max, currency: .usd), issuedAt: Date(), expiresAt: Date(timeIntervalSinceNow: 600)))
        }
        let plan = try #require(try fixture.decide(fixture.request("/a", headers: [("authorization", "Bearer \(token(max: 50_000))")])).plan)
        #expect(plan.record.action == "charge")
        #expect(plan.removedRequestHeaders.contains("authorization"))
        #expect(try await fixture.upstreamAnswers(.ok, to: plan).headers["crawler-charged"] == ["USD 0.01"])
        #expect(fixture.spool.unacknowledged(limit: 5).first?.crawlerAccountID == EdgeFixture.accountID)

        let cheap = try #require(try fixture.decide(fixture.request("/a", headers: [("authorization", "Bearer \(token(max: 5_000))")])).response)
        #expect(cheap.headers["crawler-error"] == ["InvalidCrawlerMaxPrice"])

        let elsewhere = try token(max: 50_000, scope: .restricted(tenants: [UUID()], sites: []))
        #expect(try fixture.decide(fixture.request("/a", headers: [("authorization", "Bearer \(elsewhere)")])).response?.status == .unauthorized)

        let revokedID = UUID()
        fixture.store.apply(SyncBundle(version: "101", full: false, revokedCrawlTokens: [
            SyncRevokedToken(tokenID: revokedID, expiresAt: Date(timeIntervalSinceNow: 600)),
        ]))
        let revoked = try #require(
            try fixture.decide(fixture.request("/a", headers: [("authorization", "Bearer \(token(max: 50_000, id: revokedID))")])).response)
        #expect(revoked.status == .unauthorized)
        #expect(revoked.text.contains("revoked"))
        #expect(try fixture.decide(fixture.request("/a", headers: [("authorization", "Bearer site-session")])).plan?.record.action == "pass")
    }

    @Test func x402PaymentSignatureMustBeCoveredAndGetsAPaymentResponse() async throws {
        let fixture = try EdgeFixture()
        let payload = #"{"x402Version":2,"payload":{"amount":"1","asset":"USD"},"accepted":{"scheme":"deferred","network":"tollgate:402","amount":"1","asset":"USD","payTo":"merchant"}}"#
        let header = Data(payload.utf8).base64EncodedString()
        let uncovered = try #require(
            try fixture.decide(fixture.request("/a", headers: [("payment-signature", header)], signedWith: EdgeFixture.testKey)).response)
        #expect(uncovered.headers["crawler-error"] == ["StrongAuthRequired"])

        let plan = try #require(try fixture.decide(fixture.request(
            "/a", headers: [("payment-signature", header)], signedWith: EdgeFixture.testKey,
            extraComponents: [SignatureComponent("payment-signature")])).plan)
        let head = try await fixture.upstreamAnswers(.ok, to: plan)
        #expect(head.headers["crawler-charged"] == ["USD 0.01"])
        let response = try #require(head.headers.first(name: "payment-response"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(base64Encoded: response)!) as? [String: Any])
        #expect(json["amount"] as? String == "1")
        #expect(json["network"] as? String == "tollgate:402")
    }

    @Test func inBandPricesComeFromTheOriginsAnswer() async throws {
        let fixture = try EdgeFixture(inBand: true)
        func decision(_ headers: [(String, String)], upstream status: HTTPResponseStatus, price: String?) async throws -> HookDecision {
            let plan = try #require(try fixture.decide(fixture.request("/article", headers: headers, signedWith: EdgeFixture.testKey)).plan)
            #expect(plan.requestHeaders.contains { $0.name == "cf-pay-per-crawl" && $0.value == "protocol=cloudflare, pricing=in-band" })
            return try await fixture.hookDecision(status, to: plan, headers: price.map { ["crawler-price": $0] } ?? [:])
        }

        // No offer: the request reaches the origin, whose price comes back as a 402 (its body is dropped).
        guard case .replace(let unpaid, let unpaidRecord) = try await decision([], upstream: .ok, price: "USD 0.05") else {
            Issue.record("an unpaid in-band answer must become a 402")
            return
        }
        #expect(unpaid.status == .paymentRequired && unpaid.headers["crawler-price"] == ["USD 0.05"])
        #expect(unpaid.headers["crawler-error"] == ["MissingCrawlerPrice"] && unpaid.headers["cache-control"] == ["private, no-store"])
        #expect(unpaidRecord.action == "payment_required" && unpaidRecord.price == "USD 0.05")

        // The origin says free: served, nothing charged, its crawler-price stripped.
        guard case .send(let free, let freeRecord) = try await decision([], upstream: .ok, price: "USD 0.00") else {
            Issue.record("a free in-band answer is served")
            return
        }
        #expect(free.status == .ok && free.headers["crawler-price"].isEmpty && free.headers["crawler-charged"].isEmpty)
        #expect(freeRecord?.reason == "pricing.in_band_free")

        // An offer that covers the origin's price is charged that price; one that does not gets the 402.
        let maxOffer = [("crawler-max-price", "USD 0.10")]
        guard case .send(let paid, let paidRecord) = try await decision(maxOffer, upstream: .ok, price: "USD 0.05") else {
            Issue.record("a covered in-band price is served")
            return
        }
        #expect(paid.headers["crawler-charged"] == ["USD 0.05"] && paid.headers["crawler-price"].isEmpty)
        #expect(paidRecord?.action == "charge" && paidRecord?.price == "USD 0.05")
        #expect(fixture.spool.unacknowledged(limit: 10).map(\.price) == [Money(micros: 50_000, currency: .usd)])
        guard case .replace(let tooDear, _) = try await decision(maxOffer, upstream: .ok, price: "USD 0.20") else {
            Issue.record("an uncovered in-band price is a 402")
            return
        }
        #expect(tooDear.headers["crawler-error"] == ["InvalidCrawlerMaxPrice"] && tooDear.headers["crawler-price"] == ["USD 0.20"])

        // No crawler-price: the site's price applies. An error is not billed. A bad price is the site's fault (502).
        let exact = [("crawler-exact-price", "USD 0.01")]
        guard case .send(let byDefault, _) = try await decision(exact, upstream: .ok, price: nil) else {
            Issue.record("the site's price applies without an origin price")
            return
        }
        #expect(byDefault.headers["crawler-charged"] == ["USD 0.01"])
        guard case .send(let missing, _) = try await decision(exact, upstream: .notFound, price: "USD 0.01") else {
            Issue.record("an error answer is passed on")
            return
        }
        #expect(missing.status == .notFound && missing.headers["crawler-charged"].isEmpty && missing.headers["crawler-price"].isEmpty)
        for bad in ["0.01", "EUR 0.01", "USD -1"] {
            guard case .replace(let invalid, let record) = try await decision(exact, upstream: .ok, price: bad) else {
                Issue.record("\(bad) must be refused")
                continue
            }
            #expect(invalid.status == .badGateway && invalid.headers["crawler-error"] == ["InvalidContentPrice"], "\(bad)")
            #expect(record.action == "error")
        }
        // The origin's own 402 reaches the crawler with its price.
        guard case .send(let originAsks, _) = try await decision([], upstream: .paymentRequired, price: "USD 0.07") else {
            Issue.record("an origin's 402 is passed on")
            return
        }
        #expect(originAsks.status == .paymentRequired && originAsks.headers["crawler-price"] == ["USD 0.07"])
        #expect(fixture.spool.unacknowledged(limit: 10).map(\.price.micros) == [50_000, 10_000])
    }

    @Test func unknownHostsFollowTheFailMode() throws {
        let open = try EdgeFixture(failMode: .open)
        var request = try open.request("/a")
        request.authority = "elsewhere.example"
        #expect(try open.decide(request).plan?.record.reason == "site.unknown_host")
        let closed = try EdgeFixture(failMode: .closed)
        let refused = try #require(try closed.decide(request).response)
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers["retry-after"] == ["5"])
    }
}

enum Curve25519Key {
    static func random() -> Curve25519.Signing.PrivateKey { Curve25519.Signing.PrivateKey() }
}
