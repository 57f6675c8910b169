import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import TollgateCore

@testable import TollgateServer

/// The control plane's side of the fleet protocol: sync (full bundles, deltas by transaction id, long polls, soft
/// deletes, tenant isolation), spending allowances, usage posted exactly once, metrics rollups and the blocklist API.
@Suite(.serialized) struct FleetSyncTests {
    static let password = "crawler correct horse"

    // MARK: Sync

    @Test func fullSnapshotCarriesEverythingTheEdgeNeeds() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("full@example.com", tenant: "Full Co")
            let (createdSite, site) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders,
                body: #"{"name":"News","hostnames":["news.example"],"license_url":"https://news.example/license","pricing":{"currency":"USD","default_price":{"micros":20000,"currency":"USD"},"free_paths":["/public/*"]}}"#)
            #expect(createdSite.status == .created, "\(site)")
            #expect(site["license_url"] as? String == "https://news.example/license")
            let siteID = try #require(UUID(uuidString: site["id"] as? String ?? ""))

            let crawler = try await client.registerCrawler("ops@bot.example", productToken: "ExampleBot")
            try await deps.fund(crawler.accountID, cents: 500)
            let (issued, token) = try await client.json(
                .post, "/v1/crawler/accounts/\(crawler.accountID)/tokens", headers: crawler.auth,
                body: #"{"scope":{"all":true},"max_price":{"micros":50000,"currency":"USD"},"ttl_seconds":600}"#)
            #expect(issued.status == .created, "\(token)")
            let tokenID = try #require(UUID(uuidString: token["id"] as? String ?? ""))
            #expect(try await client.json(.delete, "/v1/crawler/accounts/\(crawler.accountID)/tokens/\(tokenID)", headers: crawler.auth).0.status == .noContent)
            let (blocked, entry) = try await client.json(
                .post, "/v1/blocklist", headers: owner.sessionHeaders, body: #"{"scope":"range","value":"203.0.113.0/24","reason":"scraper"}"#)
            #expect(blocked.status == .created, "\(entry)")

            let agent = try await client.enrollAgent(owner)
            let grant = try await client.allowances(agent, [crawler.accountID])
            #expect(grant.allowances.first?.status == .active)

            let bundle = try await client.sync(agent)
            #expect(bundle.full && UInt64(bundle.version) != nil)
            let synced = try #require(bundle.sites.first)
            #expect(bundle.sites.count == 1 && synced.id == siteID && synced.hostnames == ["news.example"] && synced.status == .active)
            #expect(synced.licenseURL == "https://news.example/license" && synced.version == 1)
            #expect(synced.pricing?.defaultPrice == usd(cents: 2) && synced.pricing?.freePaths == ["/public/*"])
            let registered = try #require(bundle.crawlers.first { $0.id == crawler.crawlerID })
            #expect(registered.productToken == "ExampleBot" && registered.status == .active && registered.purposes == [.training])
            #expect(registered.keys.map(\.thumbprint) == [crawler.thumbprint] && registered.keys.first?.jwk.x == crawler.publicKeyX)
            #expect(registered.accounts == [SyncCrawlerAccount(id: crawler.accountID, currency: .usd)])
            // The crawl-token keys are the published JWKS.
            let published = try await client.execute(uri: "/v1/keys/crawl-tokens", method: .get)
            let jwks = try KeyDirectory.parse(Array(published.body.readableBytesView))
            #expect(bundle.crawlTokenKeys?.keys.isEmpty == false && bundle.crawlTokenKeys?.keys == jwks.keys)
            #expect(bundle.revokedCrawlTokens.map(\.tokenID) == [tokenID])
            #expect(bundle.blocklist.map(\.value) == ["203.0.113.0/24"] && bundle.blocklist.first?.reason == "scraper")
            #expect(bundle.blocklist.first?.scope == .range && bundle.blocklist.first?.action == .block && bundle.blocklist.first?.deleted == false)
            #expect(bundle.allowances == grant.allowances)

            // No version, a malformed one or one this database never issued: a full bundle again.
            for since in ["", "abc", "-1", "1e3", "%201", "99999999999999999999", "18446744073709551615"] {
                let again = try await client.sync(agent, since: since)
                #expect(again.full && again.sites.count == 1 && again.crawlTokenKeys != nil, "since=\(since)")
            }
            // A rotation of the crawl-token key sends the JWKS again, with the retired key while the token it signed
            // is unexpired; nothing else changed.
            let settled = try await client.settledVersion(agent, from: bundle.version)
            _ = try await deps.operators.create(email: "root@tollgate.example", passwordHash: try await deps.passwords.hash(Self.password))
            let (_, session) = try await client.json(
                .post, "/v1/operator/sessions", body: #"{"email":"root@tollgate.example","password":"\#(Self.password)"}"#)
            let (rotated, rotation) = try await client.json(
                .post, "/v1/operator/signing-keys/crawl_token/rotate", headers: [.authorization: "Bearer \(session["token"] as? String ?? "")"])
            #expect(rotated.status == .created, "\(rotation)")
            let afterRotation = try await client.sync(agent, since: settled)
            let rotatedKeys = try #require(afterRotation.crawlTokenKeys?.keys)
            #expect(rotatedKeys.count == 2 && Set(rotatedKeys).isSuperset(of: jwks.keys))
            #expect(afterRotation.sites.isEmpty && afterRotation.crawlers.isEmpty && afterRotation.revokedCrawlTokens.isEmpty)

            // The wait is bounded, and agent routes need the agent's own credential.
            let tooLong = try await client.execute(uri: "/v1/agent/sync?wait=61", method: .get, headers: agent.headers)
            #expect(tooLong.status == .unprocessableContent)
            #expect(try await client.execute(uri: "/v1/agent/sync", method: .get, headers: owner.sessionHeaders).status == .unauthorized)
        }
    }

    @Test func deltasCarryWhatChangedSinceAVersionWhateverTheCommitOrder() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("delta@example.com", tenant: "Delta Co")
            let first = try await client.createSite(owner, name: "First", hostname: "first.example")
            let second = try await client.createSite(owner, name: "Second", hostname: "second.example")
            let agent = try await client.enrollAgent(owner)
            let full = try await client.sync(agent)
            #expect(Set(full.sites.map(\.id)) == [first, second])

            // Nothing changed: the deltas settle to empty, and versions never go backwards.
            let settled = try await client.settledVersion(agent, from: full.version)
            #expect(try #require(UInt64(settled)) >= UInt64(full.version)!)

            let (renamed, _) = try await client.json(.patch, "/v1/sites/\(first)", headers: owner.sessionHeaders, body: #"{"name":"First, renamed"}"#)
            #expect(renamed.status == .ok)
            let delta = try await client.sync(agent, since: settled)
            #expect(!delta.full && delta.sites.map(\.id) == [first] && delta.sites.first?.name == "First, renamed" && delta.sites.first?.version == 2)
            #expect(delta.crawlers.isEmpty && delta.crawlTokenKeys == nil && delta.blocklist.isEmpty && delta.allowances.isEmpty)

            // A transaction that started earlier but commits later is not lost behind the version of a sync that
            // ran while it was open.
            let quiet = try await client.settledVersion(agent, from: delta.version)
            let url = try #require(deps.configuration.databaseURL)
            try await TestEnvironment.admin(url) { connection in
                try await connection.query("BEGIN", logger: TestEnvironment.logger)
                try await connection.query("SELECT set_config('tollgate.tenant_id', \(owner.tenantID), true)", logger: TestEnvironment.logger)
                try await connection.query(
                    "UPDATE sites SET name = 'Second, late', version = version + 1 WHERE id = \(second)", logger: TestEnvironment.logger)
                #expect(try await client.json(.patch, "/v1/sites/\(first)", headers: owner.sessionHeaders, body: #"{"name":"First, again"}"#).0.status == .ok)
                let meanwhile = try await client.sync(agent, since: quiet)
                #expect(meanwhile.sites.map(\.name) == ["First, again"])
                try await connection.query("COMMIT", logger: TestEnvironment.logger)
                let after = try await client.sync(agent, since: meanwhile.version)
                #expect(after.sites.contains { $0.id == second && $0.name == "Second, late" && $0.version == 2 }, "\(after.sites)")
            }
        }
    }

    @Test func aLongPollAnswersAsSoonAsSomethingChanges() async throws {
        try await withAppAndDependencies { client, _ in
            let owner = try await client.signup("poll@example.com", tenant: "Poll Co")
            let site = try await client.createSite(owner, name: "Polled", hostname: "polled.example")
            let agent = try await client.enrollAgent(owner)
            let settled = try await client.settledVersion(agent, from: try await client.sync(agent).version)

            // Nothing changes: the poll holds for the whole wait, then answers an empty delta.
            let idleStart = ContinuousClock.now
            let idle = try await client.sync(agent, since: settled, wait: 1)
            #expect(ContinuousClock.now - idleStart >= .milliseconds(900))
            #expect(idle.isEmpty && UInt64(idle.version)! >= UInt64(settled)!)

            // A change during the wait ends it early.
            let started = ContinuousClock.now
            async let polled = client.sync(agent, since: idle.version, wait: 5)
            try await Task.sleep(for: .seconds(1))
            #expect(try await client.json(.patch, "/v1/sites/\(site)", headers: owner.sessionHeaders, body: #"{"name":"Changed"}"#).0.status == .ok)
            let answer = try await polled
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .milliseconds(3_000), "the long poll took \(elapsed)")
            #expect(answer.sites.map(\.name) == ["Changed"])
        }
    }

    @Test func deletionsTravelAsUpserts() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("soft@example.com", tenant: "Soft Co")
            let site = try await client.createSite(owner, name: "Old", hostname: "old.example")
            let crawler = try await client.registerCrawler("soft@bot.example", productToken: "SoftBot")
            let (_, spare) = try await client.json(
                .post, "/v1/crawler/crawlers/\(crawler.crawlerID)/keys", headers: crawler.auth,
                body: #"{"jwk":\#(TestCrawler.publicJWK(Curve25519.Signing.PrivateKey().publicKey))}"#)
            let spareThumbprint = try #require(spare["thumbprint"] as? String)
            let (_, entry) = try await client.json(.post, "/v1/blocklist", headers: owner.sessionHeaders, body: #"{"scope":"ip","value":"198.51.100.7"}"#)
            let entryID = try #require(UUID(uuidString: entry["id"] as? String ?? ""))
            let agent = try await client.enrollAgent(owner)
            let full = try await client.sync(agent)
            #expect(Set(full.crawlers.first { $0.id == crawler.crawlerID }?.keys.map(\.thumbprint) ?? []) == [crawler.thumbprint, spareThumbprint])
            let settled = try await client.settledVersion(agent, from: full.version)

            #expect(try await client.json(.delete, "/v1/sites/\(site)", headers: owner.sessionHeaders).0.status == .ok)
            #expect(try await client.json(.delete, "/v1/crawler/crawlers/\(crawler.crawlerID)/keys/\(spareThumbprint)", headers: crawler.auth).0.status == .noContent)
            #expect(try await client.json(.delete, "/v1/blocklist/\(entryID)", headers: owner.sessionHeaders).0.status == .noContent)
            #expect(try await client.json(.delete, "/v1/blocklist/\(entryID)", headers: owner.sessionHeaders).0.status == .notFound)

            let delta = try await client.sync(agent, since: settled)
            #expect(delta.sites.map(\.status) == [.archived] && delta.sites.first?.id == site)
            let changed = try #require(delta.crawlers.first { $0.id == crawler.crawlerID })
            #expect(changed.keys.map(\.thumbprint) == [crawler.thumbprint])
            #expect(delta.blocklist.map(\.id) == [entryID] && delta.blocklist.first?.deleted == true)
            // A full bundle simply leaves deleted entries out; archived sites stay, marked.
            let fresh = try await client.sync(agent)
            #expect(fresh.blocklist.isEmpty && fresh.sites.map(\.status) == [.archived])

            // A suspended account leaves the crawler's list in the next delta; a revoked crawler travels revoked.
            let quiet = try await client.settledVersion(agent, from: delta.version)
            try await deps.platformSQL("UPDATE crawler_accounts SET status = 'suspended' WHERE id = '\(crawler.accountID)'")
            #expect(try await client.json(.delete, "/v1/crawler/crawlers/\(crawler.crawlerID)", headers: crawler.auth).0.status == .noContent)
            let revoked = try #require(try await client.sync(agent, since: quiet).crawlers.first { $0.id == crawler.crawlerID })
            #expect(revoked.status == .revoked && revoked.keys.isEmpty && revoked.accounts.isEmpty)
        }
    }

    @Test func anotherTenantsDataNeverReachesAnAgent() async throws {
        try await withAppAndDependencies { client, deps in
            let alice = try await client.signup("alice@example.com", tenant: "Alice Co")
            let bob = try await client.signup("bob@example.com", tenant: "Bob Co")
            let aliceSite = try await client.createSite(alice, name: "Alice", hostname: "alice.example")
            let bobSite = try await client.createSite(bob, name: "Bob", hostname: "bob.example")
            _ = try await client.json(.post, "/v1/blocklist", headers: alice.sessionHeaders, body: #"{"scope":"crawler","value":"GPTBot"}"#)
            _ = try await client.json(.post, "/v1/blocklist", headers: bob.sessionHeaders, body: #"{"scope":"ua","value":"curl"}"#)
            let aliceAgent = try await client.enrollAgent(alice)
            let bobAgent = try await client.enrollAgent(bob)

            let full = try await client.sync(aliceAgent)
            #expect(full.sites.map(\.id) == [aliceSite] && full.blocklist.map(\.value) == ["GPTBot"])
            #expect(full.sites.allSatisfy { $0.tenantID.uuidString == alice.tenantID.uppercased() })
            #expect(try await client.sync(bobAgent).sites.map(\.id) == [bobSite])

            // Bob's changes wake none of Alice's agents.
            let settled = try await client.settledVersion(aliceAgent, from: full.version)
            _ = try await client.json(.patch, "/v1/sites/\(bobSite)", headers: bob.sessionHeaders, body: #"{"name":"Bob 2"}"#)
            _ = try await client.json(.post, "/v1/blocklist", headers: bob.sessionHeaders, body: #"{"scope":"ip","value":"192.0.2.1"}"#)
            #expect(try await client.sync(aliceAgent, since: settled, wait: 1).isEmpty)

            // Usage for Bob's site from Alice's agent is refused and never posted.
            let crawler = try await client.registerCrawler("iso@bot.example", productToken: "IsoBot")
            try await deps.fund(crawler.accountID, cents: 100)
            let record = UsageRecord(
                sequence: 1, crawlerAccountID: crawler.accountID, siteID: bobSite, url: "https://bob.example/a", price: usd(cents: 1), occurredAt: Date())
            let result = try await client.usage(aliceAgent, UsageBatch(events: [record]))
            #expect(result.results == [.init(sequence: 1, status: .rejected, reason: "unknown_site", duplicate: false)])
            #expect(try await deps.ledger.postedCharge(eventID: UsageIngestService.eventID(agent: aliceAgent.id, sequence: 1)) == nil)
            #expect(try await deps.ledger.crawlerBalance(accountID: crawler.accountID, currency: .usd).balance == usd(cents: 100))
            #expect(try await deps.ledger.earningsBalances(tenantID: UUID(uuidString: bob.tenantID)!).isEmpty)

            // Metrics for Bob's site from Alice's agent are dropped.
            let minute = FleetSyncTests.recentMinute()
            let batch = MetricsBatch(
                sequence: 1, windowStart: minute,
                counters: [
                    MetricsCounter(siteID: bobSite, action: "block", reason: "blocklist", crawler: nil, statusClass: "4xx", count: 9),
                    MetricsCounter(siteID: aliceSite, action: "pass", reason: "policy.allow", crawler: nil, statusClass: "2xx", count: 1),
                ],
                latencies: [MetricsLatency(siteID: bobSite, action: "block", counts: Array(repeating: 1, count: 15), sumMilliseconds: 1)])
            #expect(try await client.agentPost("/v1/agent/metrics", aliceAgent, batch).status == .accepted)
            let window = FleetSyncTests.window(minute)
            let (_, aliceTraffic) = try await client.json(.get, "/v1/metrics/traffic?\(window)", headers: alice.sessionHeaders)
            #expect((aliceTraffic["counters"] as? [[String: Any]])?.map { $0["site_id"] as? String } == [aliceSite.uuidString])
            #expect((aliceTraffic["latencies"] as? [Any])?.isEmpty == true)
            let (_, bobTraffic) = try await client.json(.get, "/v1/metrics/traffic?\(window)", headers: bob.sessionHeaders)
            #expect((bobTraffic["counters"] as? [Any])?.isEmpty == true)
        }
    }

    // MARK: Usage and allowances

    @Test func usageIsPostedExactlyOnceAndChargesTheAllowance() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("usage@example.com", tenant: "Usage Co")
            let tenantID = try #require(UUID(uuidString: owner.tenantID))
            let site = try await client.createSite(owner, name: "Paid", hostname: "paid.example")
            let crawler = try await client.registerCrawler("usage@bot.example", productToken: "UsageBot")
            try await deps.fund(crawler.accountID, cents: 1_000)
            let agent = try await client.enrollAgent(owner)
            let granted = try #require(try await client.allowances(agent, [crawler.accountID]).allowances.first)
            #expect(granted.status == .active && granted.remaining == usd(cents: 250))

            let batch = UsageBatch(
                events: (1...3).map {
                    UsageRecord(
                        sequence: UInt64($0), crawlerAccountID: crawler.accountID, siteID: site, url: "https://paid.example/\($0)",
                        price: usd(cents: 2), occurredAt: Date(), requestKey: "key-\($0)")
                })
            let first = try await client.usage(agent, batch)
            #expect(first.results.map(\.sequence) == [1, 2, 3])
            #expect(first.results.allSatisfy { $0.status == .posted && $0.reason == nil && !$0.duplicate })
            #expect(first.allowances.map(\.remaining) == [usd(cents: 244)])

            // The same batch again (a lost answer): nothing moves, the answers say so.
            let again = try await client.usage(agent, batch)
            #expect(again.results.allSatisfy { $0.status == .posted && $0.duplicate })
            #expect(again.allowances.map(\.remaining) == [usd(cents: 244)])

            let split = try usd(cents: 2).split(feeBasisPoints: deps.configuration.platformFeeBasisPoints)
            #expect(try await deps.ledger.crawlerBalance(accountID: crawler.accountID, currency: .usd).balance == usd(cents: 994))
            #expect(try await deps.ledger.earningsBalances(tenantID: tenantID) == [Money(micros: split.net.micros * 3, currency: .usd)])
            #expect(try await deps.ledger.balance(.platform(.platformFees, .usd)) == Money(micros: split.fee.micros * 3, currency: .usd))
            let posted = try #require(try await deps.ledger.postedCharge(eventID: "agent:\(agent.id.uuidString.lowercased()):2"))
            #expect(posted.siteID == site && posted.url == "https://paid.example/2" && posted.tenantID == tenantID)
            #expect(try await deps.ledger.inconsistentAccounts().isEmpty)

            // Refusals are per event and stick: a price in the wrong currency, then a mix with a new event.
            let euro = UsageRecord(
                sequence: 4, crawlerAccountID: crawler.accountID, siteID: site, url: "https://paid.example/4",
                price: Money(micros: 10_000, currency: .eur), occurredAt: Date())
            let fifth = UsageRecord(
                sequence: 5, crawlerAccountID: crawler.accountID, siteID: site, url: "https://paid.example/5", price: usd(cents: 1), occurredAt: Date())
            let mixed = try await client.usage(agent, UsageBatch(events: [euro, fifth, batch.events[0]]))
            #expect(mixed.results.map(\.status) == [.rejected, .posted, .posted])
            #expect(mixed.results.map(\.reason) == ["currency_mismatch", nil, nil] && mixed.results.map(\.duplicate) == [false, false, true])
            #expect(mixed.allowances.map(\.remaining) == [usd(cents: 243)])
            #expect(try await deps.ledger.crawlerBalance(accountID: crawler.accountID, currency: .usd).balance == usd(cents: 993))

            // More than 1000 events is refused whole.
            let huge = UsageBatch(events: Array(repeating: fifth, count: UsageIngestService.maxEvents + 1))
            #expect(try await client.agentPost("/v1/agent/usage", agent, huge).status == .contentTooLarge)
            let (missing, problem) = try await client.json(
                .post, "/v1/agent/usage", headers: agent.headers.merging([.contentType: "application/json"]), body: #"{"events":[{"sequence":1}]}"#)
            #expect(missing.status == .unprocessableContent && problem.fieldNames.first?.hasPrefix("events[0].") == true, "\(problem)")
        }
    }

    @Test func aRequestKeyIsChargedOnceWhicheverAgentReportsIt() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("retry@example.com", tenant: "Retry Co")
            let site = try await client.createSite(owner, name: "Paid", hostname: "retry.example")
            let crawler = try await client.registerCrawler("retry@bot.example", productToken: "RetryBot")
            let otherCrawler = try await client.registerCrawler("retry2@bot.example", productToken: "RetryBotTwo")
            try await deps.fund(crawler.accountID, cents: 1_000)
            try await deps.fund(otherCrawler.accountID, cents: 1_000)
            let first = try await client.enrollAgent(owner)
            let second = try await client.enrollAgent(owner)
            func record(_ sequence: UInt64, _ key: String?, account: UUID? = nil) -> UsageRecord {
                UsageRecord(
                    sequence: sequence, crawlerAccountID: account ?? crawler.accountID, siteID: site,
                    url: "https://retry.example/article", price: usd(cents: 2), occurredAt: Date(), requestKey: key)
            }

            let byFirst = try await client.usage(first, UsageBatch(events: [record(1, "kid nonce-1 https://retry.example/article")]))
            #expect(byFirst.results.map(\.status) == [.posted])

            // The crawler retried the same signed request through the other replica, which charged it too; then two
            // new purchases, one of them reported twice, and a charge without a key.
            let batch = UsageBatch(events: [
                record(1, "kid nonce-1 https://retry.example/article"),
                record(2, "kid nonce-2 https://retry.example/article"),
                record(3, "kid nonce-2 https://retry.example/article"),
                record(4, nil),
                record(5, "kid nonce-1 https://retry.example/article", account: otherCrawler.accountID),
            ])
            let bySecond = try await client.usage(second, batch)
            #expect(bySecond.results.map(\.status) == [.rejected, .posted, .rejected, .posted, .posted])
            #expect(bySecond.results.map(\.reason) == ["duplicate_request", nil, "duplicate_request", nil, nil])
            #expect(bySecond.results.allSatisfy { !$0.duplicate })

            // Re-sent, the batch gets the same answers and moves nothing.
            let again = try await client.usage(second, batch)
            #expect(again.results.map(\.status) == bySecond.results.map(\.status))
            #expect(again.results.map(\.reason) == bySecond.results.map(\.reason) && again.results.allSatisfy(\.duplicate))

            #expect(try await deps.ledger.crawlerBalance(accountID: crawler.accountID, currency: .usd).balance == usd(cents: 994))
            #expect(try await deps.ledger.crawlerBalance(accountID: otherCrawler.accountID, currency: .usd).balance == usd(cents: 998))
            #expect(try await deps.ledger.inconsistentAccounts().isEmpty)
        }
    }

    @Test func allowancesAreBoundedByTheBalanceAndSharedBetweenAgents() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("share@example.com", tenant: "Share Co")
            let other = try await client.signup("share2@example.com", tenant: "Other Co")
            let crawler = try await client.registerCrawler("share@bot.example", productToken: "ShareBot")
            try await deps.fund(crawler.accountID, cents: 300)
            let first = try await client.enrollAgent(owner)
            let second = try await client.enrollAgent(owner)
            let elsewhere = try await client.enrollAgent(other)
            let fourth = try await client.enrollAgent(owner)

            // 25% of what nobody holds, at least USD 1, never more than there is.
            let a = try #require(try await client.allowances(first, [crawler.accountID]).allowances.first)
            #expect(a.status == .active && a.remaining == usd(cents: 100) && a.expiresAt.timeIntervalSinceNow > 200)
            let b = try #require(try await client.allowances(second, [crawler.accountID]).allowances.first)
            #expect(b.remaining == usd(cents: 100))
            let c = try #require(try await client.allowances(elsewhere, [crawler.accountID]).allowances.first)
            #expect(c.remaining == usd(cents: 100))
            // Asking again keeps what the agent holds (named twice, the account counts once); nothing is left for a fourth.
            let again = try await client.allowances(first, [crawler.accountID, crawler.accountID]).allowances
            #expect(again.count == 1 && again.first?.remaining == usd(cents: 100))
            let d = try #require(try await client.allowances(fourth, [crawler.accountID]).allowances.first)
            #expect(d.status == .exhausted && d.remaining == usd(cents: 0))

            // Many agents asking at once, while charges are posted, never hold more than the balance between them
            // (and grants and charges, which lock the same rows, do not deadlock).
            let agents = [first, second, elsewhere, fourth]
            let site = try await client.createSite(owner, name: "Capped", hostname: "capped.example")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<16 {
                    let agent = agents[round % agents.count]
                    group.addTask { _ = try await client.allowances(agent, [crawler.accountID]) }
                }
                for sequence in 1...4 {
                    let charge = UsageRecord(
                        sequence: UInt64(sequence), crawlerAccountID: crawler.accountID, siteID: site, url: "https://capped.example/\(sequence)",
                        price: usd(cents: 1), occurredAt: Date())
                    group.addTask {
                        let status = try await client.usage(first, UsageBatch(events: [charge])).results.first?.status
                        #expect(status == .posted)
                    }
                }
                try await group.waitForAll()
            }
            var held: Int64 = 0
            for agent in agents {
                held += try await client.sync(agent).allowances.filter { $0.status == .active }.map(\.remaining.micros).reduce(0, +)
            }
            let balance = try await deps.ledger.crawlerBalance(accountID: crawler.accountID, currency: .usd).balance
            #expect(balance == usd(cents: 296) && held > 0 && held <= balance.micros, "agents hold \(held) micros of \(balance)")

            // A daily cap that is reached stops the allowance; so does a suspension; an unknown account is refused.
            let (capped, caps) = try await client.json(
                .put, "/v1/crawler/accounts/\(crawler.accountID)/caps", headers: crawler.auth,
                body: #"{"daily_cap":{"micros":60000,"currency":"USD"},"monthly_cap":null}"#)
            #expect(capped.status == .ok, "\(caps)")
            let spend = UsageRecord(
                sequence: 5, crawlerAccountID: crawler.accountID, siteID: site, url: "https://capped.example/", price: usd(cents: 2), occurredAt: Date())
            #expect(try await client.usage(first, UsageBatch(events: [spend])).results.first?.status == .posted)
            let atCap = try #require(try await client.allowances(second, [crawler.accountID]).allowances.first)
            #expect(atCap.status == .capped && atCap.remaining == usd(cents: 0))
            try await deps.platformSQL("UPDATE crawler_accounts SET status = 'suspended' WHERE id = '\(crawler.accountID)'")
            let suspended = try #require(try await client.allowances(second, [crawler.accountID]).allowances.first)
            #expect(suspended.status == .suspended && suspended.remaining == usd(cents: 0))

            let unknown = UUID()
            let response = try await client.agentPost("/v1/agent/allowances", first, AllowanceRequest(crawlerAccountIDs: [crawler.accountID, unknown]))
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(response.status == .unprocessableContent && problem.fieldNames == ["crawler_account_ids[1]"])
            #expect(try await client.agentPost("/v1/agent/allowances", first, AllowanceRequest(crawlerAccountIDs: [])).status == .unprocessableContent)
        }
    }

    // MARK: Metrics

    @Test func metricsRollUpPerMinuteAndResentBatchesCountOnce() async throws {
        try await withAppAndDependencies { client, _ in
            let owner = try await client.signup("metrics@example.com", tenant: "Metrics Co")
            let site = try await client.createSite(owner, name: "Measured", hostname: "measured.example")
            let agent = try await client.enrollAgent(owner)
            let minute = FleetSyncTests.recentMinute()
            func latency(_ counts: [Int64], _ sum: Double) -> MetricsLatency {
                MetricsLatency(siteID: site, action: "charge", counts: counts + Array(repeating: 0, count: 15 - counts.count), sumMilliseconds: sum)
            }
            let one = MetricsBatch(
                sequence: 1, windowStart: minute.addingTimeInterval(10),
                counters: [
                    MetricsCounter(siteID: site, action: "charge", reason: "pricing.default", crawler: "GPTBot", statusClass: "2xx", count: 3),
                    MetricsCounter(siteID: nil, action: "block", reason: "blocklist", crawler: nil, statusClass: "4xx", count: 2),
                    MetricsCounter(siteID: site, action: "charge", reason: "pricing.default", crawler: "GPTBot", statusClass: "2xx", count: 1),
                ],
                latencies: [latency([1, 2], 1.5)])
            let two = MetricsBatch(
                sequence: 2, windowStart: minute.addingTimeInterval(40),
                counters: [MetricsCounter(siteID: site, action: "charge", reason: "pricing.default", crawler: "GPTBot", statusClass: "2xx", count: 6)],
                latencies: [latency([0, 1, 0, 4], 20.25)])
            for (batch, duplicate) in [(one, false), (two, false), (one, true)] {
                let response = try await client.agentPost("/v1/agent/metrics", agent, batch)
                #expect(response.status == .accepted)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(body["accepted"] as? Bool == true && body["duplicate"] as? Bool == duplicate)
            }

            let window = FleetSyncTests.window(minute)
            let (read, report) = try await client.json(.get, "/v1/metrics/traffic?\(window)&group_by=minute", headers: owner.sessionHeaders)
            #expect(read.status == .ok, "\(report)")
            let counters = try #require(report["counters"] as? [[String: Any]])
            let stamp = minute.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            let charged = try #require(counters.first { $0["site_id"] as? String == site.uuidString })
            #expect(charged["count"] as? Int == 10 && charged["crawler"] as? String == "GPTBot" && charged["time"] as? String == stamp)
            let blocked = try #require(counters.first { $0["site_id"] is NSNull })
            #expect(blocked["count"] as? Int == 2 && blocked["crawler"] is NSNull && blocked["reason"] as? String == "blocklist")
            #expect(counters.count == 2)
            let latencies = try #require(report["latencies"] as? [[String: Any]])
            #expect(latencies.count == 1 && latencies.first?["counts"] as? [Int] == [1, 3, 0, 4] + Array(repeating: 0, count: 11))
            #expect(latencies.first?["sum_ms"] as? Double == 21.75)
            #expect((report["latency_bucket_bounds_ms"] as? [Double])?.count == 14 && report["truncated"] as? Bool == false)

            // By hour, and for one site.
            let hour = Date(timeIntervalSince1970: (minute.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
            let (_, hourly) = try await client.json(
                .get, "/v1/metrics/traffic?from=\(FleetSyncTests.iso(hour))&to=\(FleetSyncTests.iso(hour.addingTimeInterval(3600)))&site_id=\(site)",
                headers: owner.sessionHeaders)
            let hourRows = try #require(hourly["counters"] as? [[String: Any]])
            #expect(hourRows.count == 1 && hourRows.first?["count"] as? Int == 10 && hourly["group_by"] as? String == "hour")
            #expect(hourRows.first?["time"] as? String == hour.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            // An empty window and bad parameters.
            let (_, empty) = try await client.json(.get, "/v1/metrics/traffic?from=\(FleetSyncTests.iso(minute))&to=\(FleetSyncTests.iso(minute))", headers: owner.sessionHeaders)
            #expect((empty["counters"] as? [Any])?.isEmpty == true)
            for bad in ["group_by=day", "from=yesterday", "to=2026-02-30T00:00:00Z", "site_id=nope"] {
                let (response, problem) = try await client.json(.get, "/v1/metrics/traffic?\(bad)", headers: owner.sessionHeaders)
                #expect(response.status == .unprocessableContent && problem.fieldNames == [String(bad.prefix { $0 != "=" })], "\(bad): \(problem)")
            }

            // Invalid batches are refused whole, naming the field, and count nothing.
            let shortHistogram = MetricsBatch(
                sequence: 3, windowStart: minute, counters: [],
                latencies: [MetricsLatency(siteID: site, action: "charge", counts: Array(repeating: 1, count: 14), sumMilliseconds: 1)])
            let negative = MetricsBatch(
                sequence: 4, windowStart: minute,
                counters: [MetricsCounter(siteID: site, action: "pass", reason: "x", crawler: nil, statusClass: "2xx", count: -1)], latencies: [])
            let badClass = MetricsBatch(
                sequence: 5, windowStart: minute,
                counters: [MetricsCounter(siteID: site, action: "pass", reason: "x", crawler: "", statusClass: "200", count: 1)], latencies: [])
            let tooMany = MetricsBatch(
                sequence: 6, windowStart: minute,
                counters: Array(
                    repeating: MetricsCounter(siteID: nil, action: "pass", reason: "x", crawler: nil, statusClass: "2xx", count: 1),
                    count: MetricsIngestService.maxCounters + 1), latencies: [])
            let ancient = MetricsBatch(sequence: 7, windowStart: Date(timeIntervalSinceNow: -40 * 86_400), counters: [], latencies: [])
            for (batch, fields) in [
                (shortHistogram, ["latencies[0].counts"]), (negative, ["counters[0].count"]),
                (badClass, ["counters[0].crawler", "counters[0].status_class"]), (tooMany, ["counters"]), (ancient, ["window_start"]),
            ] {
                let response = try await client.agentPost("/v1/agent/metrics", agent, batch)
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(response.status == .unprocessableContent && problem.fieldNames == fields, "\(problem)")
            }
            let (_, unchanged) = try await client.json(.get, "/v1/metrics/traffic?\(window)", headers: owner.sessionHeaders)
            #expect((unchanged["counters"] as? [[String: Any]])?.compactMap { $0["count"] as? Int }.sorted() == [2, 10])
        }
    }

    // MARK: Blocklist and license URLs

    @Test func blocklistValidatesEachScopeAndIsAudited() async throws {
        try await withAppAndDependencies { client, _ in
            let owner = try await client.signup("block@example.com", tenant: "Block Co")
            let headers = owner.sessionHeaders
            let refused: [(String, [String])] = [
                (#"{"scope":"ip","value":"999.1.1.1"}"#, ["value"]),
                (#"{"scope":"ip","value":"203.0.113.07"}"#, ["value"]),
                (#"{"scope":"ip","value":"203.0.113.0/24"}"#, ["value"]),
                (#"{"scope":"range","value":"10.0.0.0/33"}"#, ["value"]),
                (#"{"scope":"range","value":"2001:db8::/129"}"#, ["value"]),
                (#"{"scope":"crawler","value":"Bad Bot"}"#, ["value"]),
                (#"{"scope":"ua","value":"  "}"#, ["value"]),
                (#"{"scope":"country","value":"FR"}"#, ["scope"]),
                (#"{"scope":"ip","value":"192.0.2.1","action":"ban","ttl_seconds":5}"#, ["action", "ttl_seconds"]),
                (#"{"scope":"ip","value":"192.0.2.1","ttl_seconds":null}"#, ["ttl_seconds"]),
                (#"{"scope":"ip","value":"192.0.2.1","reason":"a\u0007b"}"#, ["reason"]),
                (#"{"scope":"ip","value":"192.0.2.1","until":"never"}"#, ["until"]),
            ]
            for (body, fields) in refused {
                let (response, problem) = try await client.json(.post, "/v1/blocklist", headers: headers, body: body)
                #expect(response.status == .unprocessableContent && response.headers[.contentType] == "application/problem+json", "\(body)")
                #expect(problem.fieldNames == fields, "\(body): \(problem)")
            }

            let (ip, ipEntry) = try await client.json(.post, "/v1/blocklist", headers: headers, body: #"{"scope":"ip","value":"2001:DB8::1","reason":"scanner"}"#)
            #expect(ip.status == .created, "\(ipEntry)")
            #expect(ipEntry["value"] as? String == "2001:db8::1" && ipEntry["action"] as? String == "block" && ipEntry["status"] as? String == "active")
            #expect(ipEntry["expires_at"] is NSNull && ipEntry["created_by"] as? String == owner.userID)
            let (_, range) = try await client.json(
                .post, "/v1/blocklist", headers: headers, body: #"{"scope":"range","value":"203.0.113.0/24","action":"allow","ttl_seconds":3600}"#)
            let expires = try #require((range["expires_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(expires.timeIntervalSinceNow - 3600) < 60 && range["action"] as? String == "allow")
            #expect(try await client.json(.post, "/v1/blocklist", headers: headers, body: #"{"scope":"crawler","value":"GPTBot"}"#).0.status == .created)
            #expect(try await client.json(.post, "/v1/blocklist", headers: headers, body: #"{"scope":"ua","value":"python-requests"}"#).0.status == .created)

            let (_, page) = try await client.json(.get, "/v1/blocklist?limit=3", headers: headers)
            #expect((page["items"] as? [[String: Any]])?.map { $0["scope"] as? String } == ["ua", "crawler", "range"])
            let cursor = try #require(page["next_cursor"] as? String)
            let (_, rest) = try await client.json(.get, "/v1/blocklist?limit=3&cursor=\(cursor)", headers: headers)
            #expect((rest["items"] as? [[String: Any]])?.map { $0["scope"] as? String } == ["ip"] && rest["next_cursor"] is NSNull)

            let id = try #require(ipEntry["id"] as? String)
            #expect(try await client.json(.delete, "/v1/blocklist/\(id)", headers: headers).0.status == .noContent)
            #expect(try await client.json(.delete, "/v1/blocklist/\(id)", headers: headers).0.status == .notFound)
            #expect((try await client.json(.get, "/v1/blocklist", headers: headers).1["items"] as? [Any])?.count == 3)

            // Reading needs sites:read, changing sites:write; everything lands in the audit chain.
            let reader = try await client.apiKey(owner, scopes: [.sitesRead])
            #expect(try await client.json(.get, "/v1/blocklist", headers: bearer(reader.secret)).0.status == .ok)
            #expect(try await client.json(.post, "/v1/blocklist", headers: bearer(reader.secret), body: #"{"scope":"ip","value":"192.0.2.9"}"#).0.status == .forbidden)
            let (_, audit) = try await client.json(.get, "/v1/audit-events?limit=200", headers: headers)
            let actions = (audit["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.filter { $0 == "blocklist.entry_created" }.count == 4 && actions.contains("blocklist.entry_deleted"))
            #expect(try await client.json(.get, "/v1/audit-events/verify", headers: headers).1["intact"] as? Bool == true)
        }
    }

    @Test func platformBlocklistEntriesReachEveryTenantsAgentsAndOnlyOperatorsChangeThem() async throws {
        try await withAppAndDependencies { client, deps in
            let first = try await client.signup("platform-block@example.com", tenant: "First Co")
            let second = try await client.signup("platform-block2@example.com", tenant: "Second Co")
            let firstAgent = try await client.enrollAgent(first)
            let secondAgent = try await client.enrollAgent(second)
            #expect(try await client.json(.post, "/v1/blocklist", headers: first.sessionHeaders, body: #"{"scope":"ip","value":"192.0.2.1"}"#).0.status == .created)
            let settled = try await client.settledVersion(secondAgent, from: try await client.sync(secondAgent).version)

            // Operator routes need an operator token.
            #expect(try await client.json(.get, "/v1/operator/blocklist").0.status == .unauthorized)
            #expect(try await client.json(.post, "/v1/operator/blocklist", headers: first.sessionHeaders, body: #"{"scope":"ua","value":"x"}"#).0.status == .unauthorized)
            let operatorAccount = try await deps.operators.create(
                email: "root@tollgate.example", passwordHash: try await deps.passwords.hash(Self.password))
            let (_, session) = try await client.json(
                .post, "/v1/operator/sessions", body: #"{"email":"root@tollgate.example","password":"\#(Self.password)"}"#)
            let operatorHeaders: HTTPFields = [.authorization: "Bearer \(session["token"] as? String ?? "")", .contentType: "application/json"]

            // The same validation as a tenant's entries.
            let (invalid, problem) = try await client.json(.post, "/v1/operator/blocklist", headers: operatorHeaders, body: #"{"scope":"range","value":"10.0.0.0/33"}"#)
            #expect(invalid.status == .unprocessableContent && problem.fieldNames == ["value"], "\(problem)")
            let (created, entry) = try await client.json(
                .post, "/v1/operator/blocklist", headers: operatorHeaders, body: #"{"scope":"ua","value":"EvilScraper","reason":"abuse report 42"}"#)
            #expect(created.status == .created, "\(entry)")
            #expect(entry["created_by"] as? String == operatorAccount.id.uuidString && entry["action"] as? String == "block")
            let id = try #require(entry["id"] as? String)
            let (_, listed) = try await client.json(.get, "/v1/operator/blocklist", headers: operatorHeaders)
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == ["EvilScraper"])

            // Both tenants' agents receive it, without a tenant; each still gets only its own tenant's entries.
            let firstBundle = try await client.sync(firstAgent)
            #expect(Set(firstBundle.blocklist.map(\.value)) == ["192.0.2.1", "EvilScraper"])
            #expect(firstBundle.blocklist.first { $0.scope == .userAgent }?.tenantID == nil)
            let delta = try await client.sync(secondAgent, since: settled)
            #expect(delta.blocklist.map(\.id.uuidString) == [id] && delta.blocklist.first?.tenantID == nil)

            // Tenants neither list nor delete it.
            #expect((try await client.json(.get, "/v1/blocklist", headers: second.sessionHeaders).1["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.json(.delete, "/v1/blocklist/\(id)", headers: second.sessionHeaders).0.status == .notFound)

            // The operator's deletion reaches the agents as a delta.
            let beforeDeletion = try await client.settledVersion(secondAgent, from: delta.version)
            #expect(try await client.json(.delete, "/v1/operator/blocklist/\(id)", headers: operatorHeaders).0.status == .noContent)
            #expect(try await client.json(.delete, "/v1/operator/blocklist/\(id)", headers: operatorHeaders).0.status == .notFound)
            let removed = try await client.sync(secondAgent, since: beforeDeletion)
            #expect(removed.blocklist.map(\.deleted) == [true])

            var actions: [String] = []
            try await deps.audit.forEachEvent(tenantID: AuditLog.platformChain) { actions.append($0.action) }
            #expect(actions.filter { $0.hasPrefix("blocklist.") } == ["blocklist.entry_created", "blocklist.entry_deleted"])
            #expect(try await deps.audit.verify(tenantID: AuditLog.platformChain) == .intact(events: actions.count))
        }
    }

    @Test func sitesCarryALicenseURL() async throws {
        try await withAppAndDependencies { client, _ in
            let owner = try await client.signup("license@example.com", tenant: "License Co")
            let headers = owner.sessionHeaders
            for bad in ["ftp://x.example/l", "https://a b.example/", "https://x.example/<l>", "//x.example", "https://" + String(repeating: "a", count: 2050)] {
                let (response, problem) = try await client.json(
                    .post, "/v1/sites", headers: headers, body: #"{"name":"L","hostnames":["l.example"],"license_url":"\#(bad)"}"#)
                #expect(response.status == .unprocessableContent && problem.fieldNames == ["license_url"], "\(bad): \(problem)")
            }
            let site = try await client.createSite(owner, name: "L", hostname: "l.example")
            let (_, plain) = try await client.json(.get, "/v1/sites/\(site)", headers: headers)
            #expect(plain["license_url"] is NSNull)
            let (set, withURL) = try await client.json(
                .patch, "/v1/sites/\(site)", headers: headers, body: #"{"license_url":"http://l.example:8080/terms?v=2#ai"}"#)
            #expect(set.status == .ok && withURL["license_url"] as? String == "http://l.example:8080/terms?v=2#ai" && withURL["version"] as? Int == 2)
            let (_, same) = try await client.json(.patch, "/v1/sites/\(site)", headers: headers, body: #"{"name":"L"}"#)
            #expect(same["license_url"] as? String == "http://l.example:8080/terms?v=2#ai" && same["version"] as? Int == 2)
            let (_, cleared) = try await client.json(.patch, "/v1/sites/\(site)", headers: headers, body: #"{"license_url":null}"#)
            #expect(cleared["license_url"] is NSNull && cleared["version"] as? Int == 3)
            #expect(try await client.json(.patch, "/v1/sites/\(site)", headers: headers, body: #"{"license_url":"mailto:x@l.example"}"#).1.fieldNames == ["license_url"])
            let (_, audit) = try await client.json(.get, "/v1/audit-events?limit=10", headers: headers)
            let details = (audit["items"] as? [[String: Any]] ?? []).compactMap { ($0["details"] as? [String: String])?["license_url"] }
            #expect(details == ["", "http://l.example:8080/terms?v=2#ai"])
        }
    }

    // MARK: Helpers

    /// The start of the minute two minutes ago: recent enough to be accepted, settled enough not to move.
    static func recentMinute() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - 120)
    }

    static func iso(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    static func window(_ minute: Date) -> String { "from=\(iso(minute))&to=\(iso(minute.addingTimeInterval(60)))" }
}

/// The pure parts of the fleet: allowance slices, versions, times, blocklist values.
struct FleetRulesTests {
    @Test func allowanceSlicesNeverExceedWhatNobodyHolds() {
        let policy = AllowancePolicy()
        func decide(_ spendable: Int64, others: Int64 = 0, cap: Int64? = nil, active: Bool = true) -> AllowancePolicy.Decision {
            policy.decide(.init(active: active, spendable: spendable, othersOutstanding: others, capHeadroom: cap))
        }
        #expect(decide(100_000_000) == .init(status: .active, remainingMicros: 10_000_000, lifetime: 300))
        #expect(decide(20_000_000).remainingMicros == 5_000_000)
        #expect(decide(3_000_000).remainingMicros == 1_000_000)
        #expect(decide(500_000).remainingMicros == 500_000)
        #expect(decide(3_000_000, others: 2_600_000).remainingMicros == 400_000)
        #expect(decide(3_000_000, others: 3_000_000) == .init(status: .exhausted, remainingMicros: 0, lifetime: 60))
        #expect(decide(-5, others: 0).status == .exhausted)
        #expect(decide(50_000_000, others: 1_000_000, cap: 1_500_000).remainingMicros == 500_000)
        #expect(decide(50_000_000, others: 1_000_000, cap: 1_000_000).status == .capped)
        #expect(decide(0, cap: 0).status == .capped)
        #expect(decide(50_000_000, active: false) == .init(status: .suspended, remainingMicros: 0, lifetime: 60))
        #expect(decide(Int64.max).remainingMicros == 10_000_000)
    }

    @Test func versionsAreDecimalXids() {
        #expect(SyncVersion("0")?.value == 0 && SyncVersion("18446744073709551615")?.value == UInt64.max)
        for bad in ["", " 1", "+1", "-1", "1.0", "0x10", "18446744073709551616", "१२"] {
            #expect(SyncVersion(bad) == nil, "\(bad)")
        }
    }

    @Test func expiredRollupsAndOldBatchClaimsAreDeleted() async throws {
        try await withAppAndDependencies { client, dependencies in
            let owner = try await client.signup("retention@example.com", tenant: "Retention Co")
            let site = try await client.createSite(owner, name: "Kept", hostname: "kept.example")
            let agent = try await client.enrollAgent(owner)
            let recent = FleetSyncTests.recentMinute()
            let old = recent.addingTimeInterval(-29 * 86_400)
            func batch(_ sequence: UInt64, _ minute: Date) -> MetricsBatch {
                MetricsBatch(
                    sequence: sequence, windowStart: minute,
                    counters: [MetricsCounter(siteID: site, action: "pass", reason: "human", crawler: nil, statusClass: "2xx", count: 5)],
                    latencies: [MetricsLatency(siteID: site, action: "pass", counts: [1] + Array(repeating: 0, count: 14), sumMilliseconds: 0.25)])
            }
            for (sequence, minute) in [(1, recent), (2, old)] {
                #expect(try await client.agentPost("/v1/agent/metrics", agent, batch(UInt64(sequence), minute)).status == .accepted)
            }
            func count(_ minute: Date) async throws -> Int {
                let (_, report) = try await client.json(.get, "/v1/metrics/traffic?\(FleetSyncTests.window(minute))&group_by=minute", headers: owner.sessionHeaders)
                return (report["counters"] as? [[String: Any]])?.first?["count"] as? Int ?? 0
            }
            #expect(try await count(recent) == 5)
            #expect(try await count(old) == 5)

            // Keeping 28 days: the old minute goes, the recent one and both claims stay.
            let retention = MetricsRetention(metrics: dependencies.metrics, retention: .seconds(28 * 86_400), interval: .seconds(3600), logger: TestEnvironment.logger)
            #expect(try await retention.pass() == MetricsPurge(counterRows: 1, latencyRows: 1, batchClaims: 0))
            #expect(try await count(recent) == 5)
            #expect(try await count(old) == 0)
            #expect(try await retention.pass() == MetricsPurge())
            // The old batch's claim still holds: re-sent, it is a duplicate and adds nothing back.
            let resent = try await client.agentPost("/v1/agent/metrics", agent, batch(2, old))
            let body = try #require(try JSONSerialization.jsonObject(with: Data(resent.body.readableBytesView)) as? [String: Any])
            #expect(body["duplicate"] as? Bool == true)
            #expect(try await count(old) == 0)

            // Once ingest would refuse every batch they could match, the claims go too.
            let later = Date().addingTimeInterval(MetricsRetention.claimLifetime + 60)
            #expect(try await retention.pass(now: later) == MetricsPurge(counterRows: 1, latencyRows: 1, batchClaims: 2))
        }
    }

    @Test func blocklistValuesFollowTheirScope() throws {
        let ips = [
            ("192.0.2.1", true), ("0.0.0.0", true), ("255.255.255.255", true), ("256.1.1.1", false), ("1.2.3", false), ("01.2.3.4", false),
            ("::", true), ("::1", true), ("2001:db8::1", true), ("2001:DB8:0:0:0:0:0:1", true), ("1:2:3:4:5:6:7::", true),
            ("1::2:3:4:5:6:7", true), ("1:2:3:4:5:6:7:8:9", false), ("1::2::3", false), ("12345::1", false), ("::ffff:1.2.3.4", false),
            ("fe80::1%eth0", false), ("", false), (" 192.0.2.1", false),
        ]
        for (value, valid) in ips {
            #expect(((try? BlockEntryValue.normalize(value, scope: .ip)) != nil) == valid, "ip \(value)")
        }
        let ranges = [
            ("10.0.0.0/8", true), ("0.0.0.0/0", true), ("192.0.2.1/32", true), ("10.0.0.0/33", false), ("10.0.0.0/08", false),
            ("2001:db8::/32", true), ("::/0", true), ("2001:db8::/128", true), ("2001:db8::/129", false), ("10.0.0.0", false),
        ]
        for (value, valid) in ranges {
            #expect(((try? BlockEntryValue.normalize(value, scope: .range)) != nil) == valid, "range \(value)")
        }
        #expect(try BlockEntryValue.normalize("GPTBot", scope: .crawler) == "GPTBot")
        #expect((try? BlockEntryValue.normalize("9Bot", scope: .crawler)) == nil)
        #expect(try BlockEntryValue.normalize(" curl/8 ", scope: .userAgent) == "curl/8")
        #expect((try? BlockEntryValue.normalize(String(repeating: "x", count: 201), scope: .userAgent)) == nil)
    }
}

/// An enrolled edge agent: its id and its credential as headers.
struct TestAgent: Sendable {
    let id: UUID
    let headers: HTTPFields
}

/// A crawler operator with one USD account and one registered crawler identified by an uploaded key.
struct TestCrawler: Sendable {
    let auth: HTTPFields
    let accountID: UUID
    let crawlerID: UUID
    let thumbprint: String
    let publicKeyX: String

    static func publicJWK(_ key: Curve25519.Signing.PublicKey) -> String {
        #"{"kty":"OKP","crv":"Ed25519","x":"\#(Base64URL.encode(key.rawRepresentation))"}"#
    }
}

extension AppDependencies {
    /// Credits a crawler account from the platform's manual adjustments.
    func fund(_ accountID: UUID, cents: Int64) async throws {
        _ = try await ledger.post(
            LedgerPosting(
                idempotencyKey: "fund-\(accountID)-\(UUID())", kind: .credit, causeType: "test", causeID: accountID.uuidString,
                legs: [.init(.crawler(accountID, .usd), usd(cents: cents)), .init(.platform(.manualAdjustments, .usd), usd(cents: -cents))]))
    }

    /// Runs one statement as the platform (set-up the API does not offer).
    func platformSQL(_ sql: String) async throws {
        try await database.withPlatform { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: database.logger)
        }
    }
}

extension TestClientProtocol {
    func createSite(_ owner: Owner, name: String, hostname: String) async throws -> UUID {
        let (response, site) = try await json(.post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"\#(name)","hostnames":["\#(hostname)"]}"#)
        #expect(response.status == .created, "\(site)")
        return try #require(UUID(uuidString: site["id"] as? String ?? ""))
    }

    func enrollAgent(_ owner: Owner, name: String = "edge") async throws -> TestAgent {
        let (_, token) = try await json(.post, "/v1/agents/enrollment-tokens", headers: owner.sessionHeaders, body: #"{"label":"\#(name)"}"#)
        let (response, enrolled) = try await json(
            .post, "/v1/agent/enroll", body: #"{"token":"\#(token["token"] as? String ?? "")","name":"\#(name)","version":"1.0.0"}"#)
        #expect(response.status == .created, "\(enrolled)")
        return TestAgent(
            id: try #require(UUID(uuidString: enrolled["agent_id"] as? String ?? "")), headers: bearer(enrolled["credential"] as? String ?? ""))
    }

    func registerCrawler(_ email: String, productToken: String) async throws -> TestCrawler {
        let (signedUp, signup) = try await json(
            .post, "/v1/crawler/signup", body: #"{"email":"\#(email)","password":"\#(FleetSyncTests.password)","name":"Operator \#(productToken)"}"#)
        #expect(signedUp.status == .created, "\(signup)")
        let auth: HTTPFields = [.authorization: "Bearer \(signup["token"] as? String ?? "")"]
        let (_, account) = try await json(.post, "/v1/crawler/accounts", headers: auth, body: #"{"name":"main","currency":"USD"}"#)
        let key = Curve25519.Signing.PrivateKey().publicKey
        let (registered, crawler) = try await json(
            .post, "/v1/crawler/crawlers", headers: auth,
            body: #"{"name":"\#(productToken)","product_token":"\#(productToken)","user_agent":"\#(productToken)/1.0","contact":"\#(email)","purposes":["training"],"keys":[\#(TestCrawler.publicJWK(key))]}"#)
        #expect(registered.status == .created, "\(crawler)")
        return TestCrawler(
            auth: auth, accountID: try #require(UUID(uuidString: account["id"] as? String ?? "")),
            crawlerID: try #require(UUID(uuidString: crawler["id"] as? String ?? "")),
            thumbprint: try #require((crawler["keys"] as? [[String: Any]])?.first?["thumbprint"] as? String),
            publicKeyX: Base64URL.encode(key.rawRepresentation))
    }

    func sync(_ agent: TestAgent, since: String? = nil, wait: Int? = nil) async throws -> SyncBundle {
        var query: [String] = []
        if let since { query.append("since=\(since)") }
        if let wait { query.append("wait=\(wait)") }
        let response = try await execute(
            uri: "/v1/agent/sync" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), method: .get, headers: agent.headers)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try FleetJSON.decoder().decode(SyncBundle.self, from: Data(response.body.readableBytesView))
    }

    /// Deltas from `version` until one comes back empty: a version past every write so far (other tests' open
    /// transactions can hold the snapshot's xmin back for a moment, so the first delta may repeat rows).
    func settledVersion(_ agent: TestAgent, from version: String) async throws -> String {
        var version = version
        for _ in 0..<50 {
            let delta = try await sync(agent, since: version)
            if delta.isEmpty { return delta.version }
            version = delta.version
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("deltas from \(version) never came back empty")
        return version
    }

    func agentPost(_ path: String, _ agent: TestAgent, _ body: some Encodable) async throws -> TestResponse {
        var headers = agent.headers
        headers[.contentType] = "application/json"
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: Array(try FleetJSON.encoder().encode(body))))
    }

    func allowances(_ agent: TestAgent, _ accounts: [UUID]) async throws -> AllowanceGrant {
        let response = try await agentPost("/v1/agent/allowances", agent, AllowanceRequest(crawlerAccountIDs: accounts))
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try FleetJSON.decoder().decode(AllowanceGrant.self, from: Data(response.body.readableBytesView))
    }

    func usage(_ agent: TestAgent, _ batch: UsageBatch) async throws -> UsageBatchResult {
        let response = try await agentPost("/v1/agent/usage", agent, batch)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try FleetJSON.decoder().decode(UsageBatchResult.self, from: Data(response.body.readableBytesView))
    }
}

extension Dictionary where Key == String, Value == Any {
    fileprivate var fieldNames: [String] { ((self["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String } }
}

extension HTTPFields {
    fileprivate func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}
