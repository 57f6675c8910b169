import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing
import TollgateCore

@testable import TollgateServer

/// Like `withApp`, with the dependencies at hand for set-up the API does not offer (a platform operator, charges).
func withAppAndDependencies(_ body: @escaping @Sendable (any TestClientProtocol, AppDependencies) async throws -> Void) async throws {
    try await TestEnvironment.withDatabase { url in
        let dependencies = try await AppDependencies(
            configuration: TestEnvironment.configuration(databaseURL: url), postgres: try DatabaseURL(url).configuration,
            registry: PrometheusCollectorRegistry(), logger: TestEnvironment.logger)
        let app = try await buildApplication(dependencies, logger: TestEnvironment.logger)
        try await app.test(.router) { client in try await body(client, dependencies) }
    }
}

@Suite(.serialized) struct CrawlerLedgerAPITests {
    static let password = "crawler correct horse"

    @Test func crawlerOperatorsOpenAccountsAndOperatorsFundThem() async throws {
        try await withAppAndDependencies { client, deps in
            // Sign-up: a token at once; duplicates and bad input refused.
            let (created, signup) = try await client.json(
                .post, "/v1/crawler/signup", body: #"{"email":"ops@bot.example","password":"\#(Self.password)","name":"ExampleBot Inc"}"#)
            #expect(created.status == .created, "\(signup)")
            let token = try #require(signup["token"] as? String)
            #expect(token.hasPrefix("tgp_"))
            let (again, problem) = try await client.json(
                .post, "/v1/crawler/signup", body: #"{"email":"OPS@bot.example","password":"\#(Self.password)","name":"Copy"}"#)
            #expect(again.status == .conflict, "\(problem)")
            let (bad, invalid) = try await client.json(.post, "/v1/crawler/signup", body: #"{"email":"nope","password":"short","name":""}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(((invalid["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }) == ["email", "password", "name"])

            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            #expect(try await client.json(.get, "/v1/crawler/me").0.status == .unauthorized)
            let (account, body) = try await client.json(
                .post, "/v1/crawler/accounts", headers: auth,
                body: #"{"name":"main","currency":"USD","daily_cap":{"micros":5000000,"currency":"USD"},"monthly_cap":null}"#)
            #expect(account.status == .created, "\(body)")
            let accountID = try #require(body["id"] as? String)
            #expect((body["balance"] as? [String: Any])?["micros"] as? Int == 0)
            #expect(try await client.json(
                .post, "/v1/crawler/accounts", headers: auth, body: #"{"name":"x","currency":"usd"}"#).0.status == .unprocessableContent)
            #expect(try await client.json(
                .post, "/v1/crawler/accounts", headers: auth,
                body: #"{"name":"x","currency":"USD","daily_cap":{"micros":1,"currency":"EUR"}}"#).0.status == .unprocessableContent)

            // Another crawler operator cannot see the account.
            let (_, other) = try await client.json(
                .post, "/v1/crawler/signup", body: #"{"email":"rival@bot.example","password":"\#(Self.password)","name":"Rival"}"#)
            let rival: HTTPFields = [.authorization: "Bearer \(other["token"] as! String)"]
            #expect(try await client.json(.get, "/v1/crawler/accounts/\(accountID)", headers: rival).0.status == .notFound)

            // The platform operator funds it by hand, idempotently.
            _ = try await deps.operators.create(email: "root@tollgate.example", passwordHash: try await deps.passwords.hash(Self.password))
            let (_, session) = try await client.json(
                .post, "/v1/operator/sessions", body: #"{"email":"root@tollgate.example","password":"\#(Self.password)"}"#)
            let operatorAuth: HTTPFields = [.authorization: "Bearer \(session["token"] as! String)"]
            let credit = #"{"amount":{"micros":10000000,"currency":"USD"},"memo":"wire 2026-11-21"}"#
            let creditPath = "/v1/operator/crawler-accounts/\(accountID)/credits"
            #expect(try await client.json(.post, creditPath, headers: operatorAuth, body: credit).0.status == .unprocessableContent)
            var keyed = operatorAuth
            keyed[.idempotencyKey] = "wire-1"
            let (first, funded) = try await client.json(.post, creditPath, headers: keyed, body: credit)
            #expect(first.status == .created, "\(funded)")
            let (retry, replay) = try await client.json(.post, creditPath, headers: keyed, body: credit)
            #expect(retry.status == .ok && replay["replayed"] as? Bool == true)
            #expect(replay["transaction_id"] as? String == funded["transaction_id"] as? String)
            #expect(try await client.json(
                .post, creditPath, headers: keyed, body: #"{"amount":{"micros":1,"currency":"USD"},"memo":"x"}"#).0.status == .conflict)
            #expect(try await client.json(.post, creditPath, headers: auth, body: credit).0.status == .unauthorized)

            keyed[.idempotencyKey] = "fix-1"
            let (overdraw, _) = try await client.json(
                .post, "/v1/operator/crawler-accounts/\(accountID)/adjustments", headers: keyed,
                body: #"{"amount":{"micros":-20000000,"currency":"USD"},"memo":"too much"}"#)
            #expect(overdraw.status == .conflict)
            let (limit, limited) = try await client.json(
                .put, "/v1/operator/crawler-accounts/\(accountID)/overdraft-limit", headers: operatorAuth,
                body: #"{"overdraft_limit":{"micros":1000000,"currency":"USD"}}"#)
            #expect(limit.status == .ok, "\(limited)")
            #expect((limited["available"] as? [String: Any])?["micros"] as? Int == 11_000_000)

            let (_, me) = try await client.json(.get, "/v1/crawler/me", headers: auth)
            let balance = ((me["accounts"] as? [[String: Any]])?.first?["balance"] as? [String: Any])?["micros"] as? Int
            #expect(balance == 10_000_000)

            // Both the sign-up and the credit are in the platform's audit chain, which verifies.
            var actions: [String] = []
            try await deps.audit.forEachEvent(tenantID: AuditLog.platformChain) { actions.append($0.action) }
            #expect(actions == ["crawler_operator.created", "crawler_operator.created", "ledger.credit", "ledger.overdraft_limit_set"])
            #expect(try await deps.audit.verify(tenantID: AuditLog.platformChain) == .intact(events: 4))
        }
    }

    @Test func tenantsAndCrawlersReadTheirStatements() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("publisher@example.com", tenant: "Daily News")
            let (site, siteBody) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"Daily News","hostnames":["news.example"]}"#)
            #expect(site.status == .created, "\(siteBody)")
            let siteID = try #require(UUID(uuidString: siteBody["id"] as? String ?? ""))

            let (_, signup) = try await client.json(
                .post, "/v1/crawler/signup", body: #"{"email":"bot@crawler.example","password":"\#(Self.password)","name":"Crawler Co"}"#)
            let auth: HTTPFields = [.authorization: "Bearer \(signup["token"] as! String)"]
            let (_, accountBody) = try await client.json(.post, "/v1/crawler/accounts", headers: auth, body: #"{"name":"research","currency":"USD"}"#)
            let accountID = try #require(UUID(uuidString: accountBody["id"] as? String ?? ""))
            _ = try await deps.ledger.post(
                LedgerPosting(
                    idempotencyKey: "seed", kind: .credit, causeType: "test", causeID: "seed",
                    legs: [.init(.crawler(accountID, .usd), usd(cents: 100)), .init(.platform(.manualAdjustments, .usd), usd(cents: -100))]))
            let events = (1...4).map {
                UsageEvent(id: "s-\($0)", crawlerAccountID: accountID, siteID: siteID, url: "https://news.example/\($0)", price: usd(cents: 5), occurredAt: Date())
            }
            #expect(try await deps.chargePosting.post(events).allSatisfy { $0.status == .posted })

            let (earnings, statement) = try await client.json(.get, "/v1/earnings?group_by=crawler", headers: [.cookie: owner.cookie])
            #expect(earnings.status == .ok, "\(statement)")
            let line = try #require((statement["lines"] as? [[String: Any]])?.first)
            #expect(line["label"] as? String == "research" && line["charges"] as? Int == 4)
            #expect((line["net"] as? [String: Any])?["micros"] as? Int == 180_000)
            #expect(((statement["balances"] as? [[String: Any]])?.first?["micros"]) as? Int == 180_000)
            #expect(try await client.json(.get, "/v1/earnings?group_by=tenant", headers: [.cookie: owner.cookie]).0.status == .unprocessableContent)
            #expect(try await client.json(.get, "/v1/earnings?from=yesterday", headers: [.cookie: owner.cookie]).0.status == .unprocessableContent)
            // Found by schemathesis: a window near year 0 would have produced times RFC 3339 cannot write.
            #expect(try await client.json(.get, "/v1/earnings?to=0000-01-01", headers: [.cookie: owner.cookie]).0.status == .unprocessableContent)
            let (early, earlyBody) = try await client.json(.get, "/v1/earnings?to=1970-01-10", headers: [.cookie: owner.cookie])
            #expect(early.status == .ok && earlyBody["from"] as? String == "1970-01-01T00:00:00.000Z", "\(earlyBody)")

            let (spend, spent) = try await client.json(.get, "/v1/crawler/accounts/\(accountID)/statement?group_by=tenant", headers: auth)
            #expect(spend.status == .ok, "\(spent)")
            let spendLine = try #require((spent["lines"] as? [[String: Any]])?.first)
            #expect(spendLine["label"] as? String == "Daily News")
            #expect((spendLine["gross"] as? [String: Any])?["micros"] as? Int == 200_000)

            // Another tenant sees none of it.
            let rival = try await client.signup("rival@example.com", tenant: "Rival")
            let (_, empty) = try await client.json(.get, "/v1/earnings?group_by=site", headers: [.cookie: rival.cookie])
            #expect((empty["lines"] as? [Any])?.isEmpty == true)
            #expect((empty["balances"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func crawlTokensAndReceiptsVerifyOfflineAcrossKeyRotation() async throws {
        try await withAppAndDependencies { client, deps in
            let owner = try await client.signup("pub@example.com", tenant: "Pub")
            let (_, siteBody) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"Pub","hostnames":["pub.example"]}"#)
            let siteID = try #require(UUID(uuidString: siteBody["id"] as? String ?? ""))
            let (_, signup) = try await client.json(
                .post, "/v1/crawler/signup", body: #"{"email":"t@bot.example","password":"\#(Self.password)","name":"Token Bot"}"#)
            let auth: HTTPFields = [.authorization: "Bearer \(signup["token"] as! String)"]
            let (_, accountBody) = try await client.json(.post, "/v1/crawler/accounts", headers: auth, body: #"{"name":"main","currency":"USD"}"#)
            let accountID = try #require(UUID(uuidString: accountBody["id"] as? String ?? ""))
            let tokensPath = "/v1/crawler/accounts/\(accountID)/tokens"

            // Issue a token scoped to one site; it verifies offline with the published keys.
            let (issued, tokenBody) = try await client.json(
                .post, tokensPath, headers: auth,
                body: #"{"scope":{"sites":["\#(siteID.uuidString)"]},"max_price":{"micros":50000,"currency":"USD"},"ttl_seconds":600}"#)
            #expect(issued.status == .created, "\(tokenBody)")
            let token = try #require(tokenBody["token"] as? String)
            let keys = try await client.execute(uri: "/v1/keys/crawl-tokens", method: .get)
            #expect(keys.headers[.contentType] == KeyDirectory.mediaType)
            let verifier = CrawlTokenVerifier(publicKeys: CrawlTokenPublicKeySet(directory: try KeyDirectory.parse(Array(keys.body.readableBytesView))))
            let verified = try verifier.verify(token, now: Date(), tenantID: UUID(), siteID: siteID)
            #expect(verified.claims.crawlerAccountID == accountID && verified.claims.maxPrice == usd(cents: 5))
            #expect(throws: CrawlTokenError.self) { try verifier.verify(token, now: Date(), tenantID: UUID(), siteID: UUID()) }

            #expect(try await client.json(
                .post, tokensPath, headers: auth, body: #"{"scope":{"all":true},"max_price":{"micros":1,"currency":"EUR"}}"#).0.status == .unprocessableContent)
            #expect(try await client.json(
                .post, tokensPath, headers: auth, body: #"{"scope":{"all":true},"max_price":{"micros":1,"currency":"USD"},"ttl_seconds":5}"#).0.status == .unprocessableContent)
            let tokenID = try #require(tokenBody["id"] as? String)
            #expect(try await client.json(.delete, "\(tokensPath)/\(tokenID)", headers: auth).0.status == .noContent)
            #expect(try await client.json(.delete, "\(tokensPath)/\(tokenID)", headers: auth).0.status == .notFound)
            let (_, listed) = try await client.json(.get, tokensPath, headers: auth)
            #expect((listed["items"] as? [[String: Any]])?.map { $0["status"] as? String } == ["revoked"])
            #expect((listed["items"] as? [[String: Any]])?.first?["token"] == nil)

            // A receipt for a posted charge verifies offline, before and after the receipt key rotates.
            _ = try await deps.ledger.post(
                LedgerPosting(
                    idempotencyKey: "seed", kind: .credit, causeType: "test", causeID: "seed",
                    legs: [.init(.crawler(accountID, .usd), usd(cents: 100)), .init(.platform(.manualAdjustments, .usd), usd(cents: -100))]))
            let event = UsageEvent(id: "edge-1:7", crawlerAccountID: accountID, siteID: siteID, url: "https://pub.example/a", price: usd(cents: 2), occurredAt: Date())
            #expect(try await deps.chargePosting.post([event]).first?.status == .posted)
            let receiptPath = "/v1/crawler/accounts/\(accountID)/charges/edge-1:7/receipt"
            let (receiptResponse, receiptBody) = try await client.json(.get, receiptPath, headers: auth)
            #expect(receiptResponse.status == .ok, "\(receiptBody)")
            let receipt = try #require(receiptBody["receipt"] as? String)
            func receiptVerifier() async throws -> ChargeReceiptVerifier {
                let published = try await client.execute(uri: "/v1/keys/receipts", method: .get)
                return ChargeReceiptVerifier(directory: try KeyDirectory.parse(Array(published.body.readableBytesView)))
            }
            let checked = try await receiptVerifier().verify(receipt)
            #expect(checked.eventID == "edge-1:7" && checked.price == usd(cents: 2) && checked.siteID == siteID)
            #expect(try await client.json(.get, "/v1/crawler/accounts/\(accountID)/charges/nope/receipt", headers: auth).0.status == .notFound)

            _ = try await deps.operators.create(email: "root@tollgate.example", passwordHash: try await deps.passwords.hash(Self.password))
            let (_, session) = try await client.json(
                .post, "/v1/operator/sessions", body: #"{"email":"root@tollgate.example","password":"\#(Self.password)"}"#)
            let (rotated, rotation) = try await client.json(
                .post, "/v1/operator/signing-keys/receipt/rotate", headers: [.authorization: "Bearer \(session["token"] as! String)"])
            #expect(rotated.status == .created, "\(rotation)")
            #expect(rotation["id"] as? String != receiptBody["key_id"] as? String)
            let (_, fresh) = try await client.json(.get, receiptPath, headers: auth)
            #expect(fresh["key_id"] as? String == rotation["id"] as? String)
            let verifierAfter = try await receiptVerifier()
            #expect(try verifierAfter.verify(receipt) == checked)
            #expect(try verifierAfter.verify(fresh["receipt"] as! String).eventID == "edge-1:7")
        }
    }
}
