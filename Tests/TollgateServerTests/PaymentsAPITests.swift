import Foundation
import GatewayFakes
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import Testing
import TollgateCore

@testable import TollgateServer

/// Keeps every log line, to prove credentials never reach the logs.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            logs.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })")
        }
    }
}

/// The control plane's money path against the loopback Stripe fake: real HTTP, the vendor's wire format, the ledger.
@Suite(.serialized) struct PaymentsAPITests {
    static let password = "payments correct horse"

    struct Setup {
        let client: any TestClientProtocol
        let deps: AppDependencies
        let fake: FakeVendorServer
        let operatorAuth: HTTPFields
        let crawlerAuth: HTTPFields
        let accountID: String
        let gatewayName = "stripe-test"
        let secretKey: String
        let webhookSecret: String

        func balance() async throws -> Int {
            let (_, account) = try await client.json(.get, "/v1/crawler/accounts/\(accountID)", headers: crawlerAuth)
            return try #require((account["balance"] as? [String: Any])?["micros"] as? Int)
        }

        func keyed(_ key: String) -> HTTPFields {
            var headers = crawlerAuth
            headers[.idempotencyKey] = key
            return headers
        }

        func attach(_ token: String) async throws -> String {
            let request = try JSONSerialization.data(withJSONObject: ["gateway": gatewayName, "token": token])
            let (response, body) = try await client.json(
                .post, "/v1/crawler/payment-methods", headers: crawlerAuth, body: String(decoding: request, as: UTF8.self))
            #expect(response.status == .created, "\(body)")
            return try #require(body["id"] as? String)
        }

        func topUp(_ method: String, micros: Int, key: String) async throws -> (TestResponse, [String: Any]) {
            try await client.json(
                .post, "/v1/crawler/accounts/\(accountID)/top-ups", headers: keyed(key),
                body: #"{"payment_method_id":"\#(method)","amount":{"micros":\#(micros),"currency":"USD"}}"#)
        }

        func intents() async throws -> [[String: Any]] {
            try await fake.state()["payment_intents"] as? [[String: Any]] ?? []
        }
    }

    func withStripe(_ body: @escaping @Sendable (Setup) async throws -> Void, logs: CapturedLogs = CapturedLogs()) async throws {
        let secretKey = "sk_test_" + SecureRandom.base62String(length: 24)
        let webhookSecret = "whsec_" + Data(SecureRandom.bytes(32)).base64EncodedString()
        try await withGateway(
            "stripe", credentials: ["secret_key": secretKey, "webhook_secret": webhookSecret], secrets: (secretKey, webhookSecret), body, logs: logs)
    }

    /// A control plane on a fresh database with one gateway (`stripe-test`, whatever the vendor) served by its fake, a
    /// platform operator, a crawler operator and a USD account.
    func withGateway(
        _ vendor: String, credentials: [String: String], secrets: (String, String), _ body: @escaping @Sendable (Setup) async throws -> Void,
        logs: CapturedLogs = CapturedLogs()
    ) async throws {
        let fake = try await FakeVendorServer.start(vendor, options: credentials)
        defer { fake.stop() }

        let logger = Logger(label: "payments-test") { _ in CapturedLogs.Handler(logs: logs) }
        try await TestEnvironment.withDatabase { url in
            var configuration = TestEnvironment.configuration(databaseURL: url)
            configuration.gatewayTimeout = .seconds(10)
            let deps = try await AppDependencies(
                configuration: configuration, postgres: try DatabaseURL(url).configuration, registry: PrometheusCollectorRegistry(), logger: logger)
            let app = try await buildApplication(deps, logger: logger)
            try await app.test(.router) { client in
                _ = try await deps.operators.create(email: "root@tollgate.example", passwordHash: try await deps.passwords.hash(Self.password))
                let (_, session) = try await client.json(
                    .post, "/v1/operator/sessions", body: #"{"email":"root@tollgate.example","password":"\#(Self.password)"}"#)
                let operatorAuth: HTTPFields = [.authorization: "Bearer \(session["token"] as! String)"]
                let request: [String: Any] = [
                    "name": "stripe-test", "kind": vendor, "base_url": fake.baseURL, "credentials": credentials, "minimum_top_up_micros": 500_000,
                ]
                let (created, gateway) = try await client.json(
                    .post, "/v1/operator/gateways", headers: operatorAuth,
                    body: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
                #expect(created.status == .created, "\(gateway)")
                let (_, signup) = try await client.json(
                    .post, "/v1/crawler/signup", body: #"{"email":"ops@bot.example","password":"\#(Self.password)","name":"ExampleBot Inc"}"#)
                let crawlerAuth: HTTPFields = [.authorization: "Bearer \(signup["token"] as! String)"]
                let (_, account) = try await client.json(.post, "/v1/crawler/accounts", headers: crawlerAuth, body: #"{"name":"main","currency":"USD"}"#)
                try await body(
                    Setup(
                        client: client, deps: deps, fake: fake, operatorAuth: operatorAuth, crawlerAuth: crawlerAuth,
                        accountID: account["id"] as! String, secretKey: secrets.0, webhookSecret: secrets.1))
            }
        }
    }

    @Test func gatewayCredentialsAreValidatedAndNeverShownOrLogged() async throws {
        let logs = CapturedLogs()
        try await withStripe({ setup in
            let client = setup.client
            let (missing, problem) = try await client.json(
                .post, "/v1/operator/gateways", headers: setup.operatorAuth,
                body: #"{"name":"other","kind":"stripe","credentials":{"secret_key":"sk_test_x","api_key":"y"}}"#)
            #expect(missing.status == .unprocessableContent)
            let fields = Set(((problem["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["credentials.webhook_secret", "credentials.api_key"])
            #expect(try await client.json(
                .post, "/v1/operator/gateways", headers: setup.operatorAuth,
                body: #"{"name":"stripe-test","kind":"stripe","credentials":{"secret_key":"a","webhook_secret":"b"}}"#).0.status == .conflict)
            #expect(try await client.json(
                .post, "/v1/operator/gateways", headers: setup.crawlerAuth, body: #"{"name":"x","kind":"stripe","credentials":{}}"#).0.status == .unauthorized)

            var bodies: [String] = []
            let (list, listed) = try await client.json(.get, "/v1/operator/gateways", headers: setup.operatorAuth)
            bodies.append(String(buffer: list.body))
            let gateway = try #require((listed["items"] as? [[String: Any]])?.first)
            #expect(gateway["credential_names"] as? [String] == ["secret_key", "webhook_secret"])
            let id = try #require(gateway["id"] as? String)
            let (patched, _) = try await client.json(
                .patch, "/v1/operator/gateways/\(id)", headers: setup.operatorAuth, body: #"{"minimum_top_up_micros":1000000}"#)
            #expect(patched.status == .ok)
            bodies.append(String(buffer: patched.body))
            bodies.append(String(buffer: try await client.json(.get, "/v1/operator/gateways/\(id)", headers: setup.operatorAuth).0.body))

            // A wrong key at the vendor: the operator gets a clear error that does not quote it.
            let method = try await setup.attach("pm_card_visa")
            let wrong = "sk_test_" + SecureRandom.base62String(length: 24)
            let (rotated, _) = try await client.json(
                .patch, "/v1/operator/gateways/\(id)", headers: setup.operatorAuth,
                body: #"{"credentials":{"secret_key":"\#(wrong)","webhook_secret":"\#(setup.webhookSecret)"}}"#)
            #expect(rotated.status == .ok)
            let (refused, _) = try await setup.topUp(method, micros: 5_000_000, key: "wrong-key")
            #expect(refused.status == .badGateway)
            bodies.append(String(buffer: refused.body))
            #expect(try await setup.balance() == 0)
            for body in bodies {
                #expect(!body.contains(setup.secretKey) && !body.contains(wrong) && !body.contains(setup.webhookSecret))
            }
            // Stored sealed: the plaintext is nowhere in the row.
            let stored = try await setup.deps.database.withPlatform { connection in
                try await connection.query("SELECT sealed_credentials FROM payment_gateways", logger: TestEnvironment.logger)
                    .decode(ByteBuffer.self).first { _ in true }
            }
            #expect(String(decoding: stored!.readableBytesView, as: UTF8.self).contains("sk_test_") == false)
        }, logs: logs)
        #expect(!logs.all.isEmpty)
        #expect(logs.all.allSatisfy { !$0.contains("sk_test_") && !$0.contains("whsec_") })
    }

    @Test func aTopUpCreditsOnceEvenWhenTheResponseIsLost() async throws {
        try await withStripe { setup in
            let method = try await setup.attach("pm_card_visa")
            let (missingKey, _) = try await setup.client.json(
                .post, "/v1/crawler/accounts/\(setup.accountID)/top-ups", headers: setup.crawlerAuth,
                body: #"{"payment_method_id":"\#(method)","amount":{"micros":5000000,"currency":"USD"}}"#)
            #expect(missingKey.status == .unprocessableContent)
            let (small, _) = try await setup.topUp(method, micros: 100_000, key: "small")
            #expect(small.status == .unprocessableContent)

            let (paid, topUp) = try await setup.topUp(method, micros: 10_000_000, key: "first")
            #expect(paid.status == .created, "\(topUp)")
            #expect(topUp["status"] as? String == "succeeded")
            #expect(try await setup.balance() == 10_000_000)
            // The same request again: the same top-up, nothing new at the vendor or in the ledger.
            let (again, replay) = try await setup.topUp(method, micros: 10_000_000, key: "first")
            #expect(again.status == .created && replay["id"] as? String == topUp["id"] as? String)
            #expect(try await setup.topUp(method, micros: 20_000_000, key: "first").0.status == .conflict)
            #expect(try await setup.intents().count == 1)

            // The vendor charges but the answer is lost; the in-request retry with the same key gets the stored answer.
            try await setup.fake.inject(.dropAfterSuccess(match: "POST /v1/payment_intents"))
            let (retried, second) = try await setup.topUp(method, micros: 7_000_000, key: "second")
            #expect(retried.status == .created, "\(second)")
            #expect(try await setup.intents().count == 2)
            #expect(try await setup.balance() == 17_000_000)

            // Every answer lost: the top-up stays pending (202), then the worker re-sends the same key and credits once.
            try await setup.fake.inject(.dropAfterSuccess(match: "POST /v1/payment_intents", times: 3))
            let (accepted, pending) = try await setup.client.json(
                .post, "/v1/crawler/accounts/\(setup.accountID)/top-ups", headers: setup.keyed("third"),
                body: #"{"payment_method_id":"\#(method)","amount":{"micros":3000000,"currency":"USD"}}"#)
            #expect(accepted.status == .accepted, "\(pending)")
            #expect(pending["status"] as? String == "pending")
            #expect(try await setup.balance() == 17_000_000)
            try await setup.deps.database.withPlatform { connection in
                try await connection.query("UPDATE top_ups SET next_attempt_at = now()", logger: TestEnvironment.logger)
            }
            try await setup.deps.paymentsWorker.runOnce()
            try await setup.deps.paymentsWorker.runOnce()
            #expect(try await setup.balance() == 20_000_000)
            let thirdID = try #require(pending["id"] as? String)
            let (_, third) = try await setup.client.json(.get, "/v1/crawler/accounts/\(setup.accountID)/top-ups/\(thirdID)", headers: setup.crawlerAuth)
            #expect(third["status"] as? String == "succeeded")
            let intents = try await setup.intents()
            #expect(intents.count == 3)
            #expect(intents.compactMap { $0["amount"] as? Int }.sorted() == [300, 700, 1000])
            #expect(intents.allSatisfy { $0["status"] as? String == "succeeded" })

            // The vendor's requests were all ones Stripe accepts.
            let requests = try await setup.fake.requests()
            #expect(requests.allSatisfy { $0.problems.isEmpty }, "\(requests.filter { !$0.problems.isEmpty }.map(\.problems))")
            #expect(try await setup.deps.ledger.inconsistentAccounts().isEmpty)
        }
    }

    @Test func aDeclineChangesNothingAndSaysWhy() async throws {
        try await withStripe { setup in
            let (unknown, unknownProblem) = try await setup.client.json(
                .post, "/v1/crawler/payment-methods", headers: setup.crawlerAuth, body: #"{"gateway":"nope","token":"pm_card_visa"}"#)
            #expect(unknown.status == .unprocessableContent && (unknownProblem["errors"] as? [[String: Any]])?.first?["field"] as? String == "gateway")
            let declined = try await setup.attach("pm_card_chargeDeclinedInsufficientFunds")
            let (response, problem) = try await setup.topUp(declined, micros: 5_000_000, key: "declined")
            #expect(response.status.code == 402)
            #expect((problem["detail"] as? String)?.contains("insufficient_funds") == true, "\(problem)")
            #expect(try await setup.balance() == 0)
            let (_, list) = try await setup.client.json(.get, "/v1/crawler/accounts/\(setup.accountID)/top-ups", headers: setup.crawlerAuth)
            let item = try #require((list["items"] as? [[String: Any]])?.first)
            #expect(item["status"] as? String == "declined" && item["failure_code"] as? String == "insufficient_funds")
            #expect(item["ledger_transaction_id"] is NSNull || item["ledger_transaction_id"] == nil)

            // A vendor outage: 503 for every try leaves it pending, never failed, and nothing is credited.
            let method = try await setup.attach("pm_card_visa")
            try await setup.fake.inject(.status(503, match: "POST /v1/payment_intents", times: 3))
            #expect(try await setup.topUp(method, micros: 5_000_000, key: "outage").0.status == .accepted)
            #expect(try await setup.balance() == 0)
        }
    }

    @Test func webhooksApplyOnceInAnyOrder() async throws {
        try await withStripe { setup in
            let method = try await setup.attach("pm_card_visa")
            try await setup.fake.inject(.dropAfterSuccess(match: "POST /v1/payment_intents", times: 3))
            let (accepted, pending) = try await setup.topUp(method, micros: 4_000_000, key: "hooked")
            #expect(accepted.status == .accepted)
            let events = try await setup.fake.events()
            let succeeded = try #require(events.first { $0.body.contains("\"payment_intent.succeeded\"") })

            func deliver(_ event: FakeVendorServer.Event, body: String? = nil) async throws -> (TestResponse, [String: Any]) {
                var headers: HTTPFields = [.contentType: "application/json"]
                for (name, value) in event.headers { headers[HTTPField.Name(name)!] = value }
                return try await setup.client.json(.post, "/v1/webhooks/\(setup.gatewayName)", headers: headers, body: body ?? event.body)
            }
            // A forged copy is refused and changes nothing.
            let (forged, _) = try await deliver(succeeded, body: succeeded.body.replacingOccurrences(of: "400", with: "900"))
            #expect(forged.status == .badRequest)
            #expect(try await setup.balance() == 0)
            // The webhook settles the top-up whose response was lost; a redelivery is recognised.
            let (first, outcome) = try await deliver(succeeded)
            #expect(first.status == .ok, "\(outcome)")
            #expect(try await setup.balance() == 4_000_000)
            let (second, duplicate) = try await deliver(succeeded)
            #expect(second.status == .ok && duplicate["outcomes"] as? [String] == ["duplicate"])
            #expect(try await setup.balance() == 4_000_000)
            // The worker's later re-send finds the top-up settled and credits nothing more.
            try await setup.deps.database.withPlatform { connection in
                try await connection.query("UPDATE top_ups SET next_attempt_at = now()", logger: TestEnvironment.logger)
            }
            try await setup.deps.paymentsWorker.runOnce()
            #expect(try await setup.balance() == 4_000_000)
            let (_, topUp) = try await setup.client.json(
                .get, "/v1/crawler/accounts/\(setup.accountID)/top-ups/\(pending["id"] as! String)", headers: setup.crawlerAuth)
            #expect(topUp["status"] as? String == "succeeded")

            // Out of order: the refund's events are delivered newest first, then all of them again.
            let (refunded, refund) = try await setup.client.json(
                .post, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.keyed("refund-1"),
                body: #"{"amount":{"micros":1000000,"currency":"USD"}}"#)
            #expect(refunded.status == .created, "\(refund)")
            let all = try await setup.fake.events()
            for event in all.reversed() { #expect(try await deliver(event).0.status == .ok) }
            for event in all { #expect(try await deliver(event).1["outcomes"] as? [String] == ["duplicate"]) }
            #expect(try await setup.balance() == 3_000_000)
            #expect(try await setup.deps.ledger.inconsistentAccounts().isEmpty)
        }
    }

    @Test func refundsNeverExceedWhatWasPaid() async throws {
        try await withStripe { setup in
            let method = try await setup.attach("pm_card_visa")
            let (_, topUp) = try await setup.topUp(method, micros: 10_000_000, key: "fund")
            let topUpID = try #require(topUp["id"] as? String)
            func refund(_ micros: Int, key: String, topUp: String? = nil) async throws -> (TestResponse, [String: Any]) {
                let target = topUp.map { #","top_up_id":"\#($0)""# } ?? ""
                return try await setup.client.json(
                    .post, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.keyed(key),
                    body: #"{"amount":{"micros":\#(micros),"currency":"USD"}\#(target)}"#)
            }
            let (first, partial) = try await refund(4_000_000, key: "r1", topUp: topUpID)
            #expect(first.status == .created, "\(partial)")
            #expect(try await setup.balance() == 6_000_000)
            #expect(try await refund(4_000_000, key: "r1", topUp: topUpID).1["id"] as? String == partial["id"] as? String)
            #expect(try await setup.balance() == 6_000_000)
            let (tooMuch, problem) = try await refund(7_000_000, key: "r2", topUp: topUpID)
            #expect(tooMuch.status == .unprocessableContent)
            #expect((problem["detail"] as? String)?.contains("USD 6.00") == true, "\(problem)")
            // Without a top_up_id the newest top-up that can carry the amount is used; nothing is left after that.
            let (_, second) = try await refund(6_000_000, key: "r3")
            #expect(second["status"] as? String == "succeeded")
            #expect(try await setup.balance() == 0)
            #expect(try await refund(1, key: "r4").0.status == .unprocessableContent)
            let refunds = try await setup.fake.state()["refunds"] as? [[String: Any]] ?? []
            #expect(refunds.compactMap { $0["amount"] as? Int }.reduce(0, +) == 1000)
            #expect(try await setup.deps.ledger.balance(.platform(.refunds, try Currency("USD"))).micros == 10_000_000)
        }
    }

    @Test func payoutsDebitEarningsOncePerPeriodAndTenantsSeeThem() async throws {
        try await withStripe { setup in
            let client = setup.client
            let owner = try await client.signup("publisher@example.com", tenant: "Daily News")
            let (_, site) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"Daily News","hostnames":["news.example"]}"#)
            let siteID = try #require(UUID(uuidString: site["id"] as? String ?? ""))
            let method = try await setup.attach("pm_card_visa")
            #expect(try await setup.topUp(method, micros: 5_000_000, key: "fund").0.status == .created)
            let accountID = try #require(UUID(uuidString: setup.accountID))
            let events = (1...10).map {
                UsageEvent(id: "p-\($0)", crawlerAccountID: accountID, siteID: siteID, url: "https://news.example/\($0)", price: usd(cents: 10), occurredAt: Date())
            }
            #expect(try await setup.deps.chargePosting.post(events).allSatisfy { $0.status == .posted })
            // 10 × USD 0.10 less the 10 % fee: USD 0.90 earned.
            func payout(_ micros: Int, _ start: String, _ end: String) async throws -> (TestResponse, [String: Any]) {
                try await client.json(
                    .post, "/v1/operator/payouts", headers: setup.operatorAuth,
                    body: #"{"tenant_id":"\#(owner.tenantID)","amount":{"micros":\#(micros),"currency":"USD"},"period_start":"\#(start)","period_end":"\#(end)","reference":"SEPA 2026-11-30"}"#)
            }
            let (tooMuch, problem) = try await payout(1_000_000, "2026-11-01", "2026-12-01")
            #expect(tooMuch.status == .conflict && (problem["detail"] as? String)?.contains("USD 0.90") == true, "\(problem)")
            #expect(try await payout(500_000, "2026-11-01", "2026-11-01").0.status == .unprocessableContent)
            #expect(try await payout(500_000, "2026-02-30", "2026-03-01").0.status == .unprocessableContent)
            let (paid, recorded) = try await payout(900_000, "2026-11-01", "2026-12-01")
            #expect(paid.status == .created, "\(recorded)")
            #expect(recorded["period_start"] as? String == "2026-11-01" && recorded["period_end"] as? String == "2026-12-01")
            #expect(try await payout(1, "2026-11-01", "2026-12-01").0.status == .conflict)
            #expect(try await setup.deps.ledger.earningsBalances(tenantID: UUID(uuidString: owner.tenantID)!).map(\.micros) == [0])

            let (list, payouts) = try await client.json(.get, "/v1/payouts", headers: [.cookie: owner.cookie])
            #expect(list.status == .ok)
            #expect((payouts["items"] as? [[String: Any]])?.first?["reference"] as? String == "SEPA 2026-11-30")
            let rival = try await client.signup("rival@example.com", tenant: "Rival")
            #expect((try await client.json(.get, "/v1/payouts", headers: [.cookie: rival.cookie]).1["items"] as? [Any])?.isEmpty == true)
            let page = try await client.execute(uri: "/app/earnings", method: .get, headers: [.cookie: owner.cookie])
            let html = String(buffer: page.body)
            #expect(html.contains("id=\"payouts\"") && html.contains("SEPA 2026-11-30") && html.contains("2026-11-01 – 2026-11-30"))
            var actions: [String] = []
            try await setup.deps.audit.forEachEvent(tenantID: UUID(uuidString: owner.tenantID)!) { actions.append($0.action) }
            #expect(actions.contains("payout.recorded"))
        }
    }

    @Test func aRefusedRefundGivesTheMoneyBack() async throws {
        try await withStripe { setup in
            let method = try await setup.attach("pm_card_visa")
            let (_, topUp) = try await setup.topUp(method, micros: 8_000_000, key: "fund")
            try await setup.fake.inject(.status(400, match: "POST /v1/refunds"))
            let (refused, problem) = try await setup.client.json(
                .post, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.keyed("refused"),
                body: #"{"amount":{"micros":3000000,"currency":"USD"}}"#)
            #expect(refused.status == .badGateway && problem["type"] as? String == "https://tollgate.dev/problems/refund-failed", "\(problem)")
            #expect(try await setup.balance() == 8_000_000)
            let (_, refunds) = try await setup.client.json(.get, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.crawlerAuth)
            #expect((refunds["items"] as? [[String: Any]])?.first?["status"] as? String == "failed")
            // The reserved amount is free again: the whole top-up can still be refunded.
            let (full, refund) = try await setup.client.json(
                .post, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.keyed("full"),
                body: #"{"amount":{"micros":8000000,"currency":"USD"},"top_up_id":"\#(topUp["id"] as! String)"}"#)
            #expect(full.status == .created, "\(refund)")
            #expect(try await setup.balance() == 0)
            #expect(try await setup.deps.ledger.balance(.platform(.refunds, .usd)).micros == 8_000_000)
            #expect(try await setup.deps.ledger.inconsistentAccounts().isEmpty)
        }
    }

    /// Adyen has no payment lookup and confirms refunds only by webhook: the refund stays pending until its REFUND
    /// notification arrives, and a failed one gives the money back.
    @Test func asynchronousRefundsSettleByWebhook() async throws {
        let hmacKey = SecureRandom.bytes(32).map { String(format: "%02X", $0) }.joined()
        let credentials = ["api_key": "AQE" + SecureRandom.base62String(length: 30), "merchant_account": "TollgateECOM", "hmac_key": hmacKey]
        try await withGateway("adyen", credentials: credentials, secrets: (credentials["api_key"]!, hmacKey)) { setup in
            let card = #"{"type":"scheme","encryptedCardNumber":"test_4111111111111111","encryptedExpiryMonth":"test_03","encryptedExpiryYear":"test_2030","encryptedSecurityCode":"test_737","holderName":"Bot Ops"}"#
            let method = try await setup.attach(card)
            let (paid, topUp) = try await setup.topUp(method, micros: 10_000_000, key: "fund")
            #expect(paid.status == .created, "\(topUp)")
            func refund(_ micros: Int, key: String) async throws -> (TestResponse, [String: Any]) {
                try await setup.client.json(
                    .post, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.keyed(key),
                    body: #"{"amount":{"micros":\#(micros),"currency":"USD"}}"#)
            }
            let (accepted, pending) = try await refund(4_000_000, key: "r1")
            #expect(accepted.status == .accepted && pending["status"] as? String == "pending", "\(pending)")
            #expect(try await setup.balance() == 6_000_000)
            // The worker does not resend a refund the vendor has received; only the notification settles it.
            try await setup.deps.database.withPlatform { connection in
                try await connection.query("UPDATE refunds SET next_attempt_at = now()", logger: TestEnvironment.logger)
            }
            try await setup.deps.paymentsWorker.runOnce()
            let refundsAtVendor = { try await setup.fake.requests().filter { $0.path.hasSuffix("/refunds") }.count }
            #expect(try await refundsAtVendor() == 1)
            let events = try await setup.fake.events()
            let notification = try #require(events.last { $0.body.contains("\"REFUND\"") })
            var headers: HTTPFields = [.contentType: "application/json"]
            for (name, value) in notification.headers { headers[HTTPField.Name(name)!] = value }
            let (delivered, outcome) = try await setup.client.json(.post, "/v1/webhooks/stripe-test", headers: headers, body: notification.body)
            #expect(delivered.status == .ok, "\(outcome)")
            let (_, settled) = try await setup.client.json(
                .get, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.crawlerAuth)
            #expect((settled["items"] as? [[String: Any]])?.first?["status"] as? String == "succeeded")
            #expect(try await setup.balance() == 6_000_000)
            #expect(try await setup.fake.requests().allSatisfy { $0.problems.isEmpty })
            #expect(try await setup.deps.ledger.inconsistentAccounts().isEmpty)
        }
    }

    @Test func autoTopUpRefillsBelowTheThresholdAndPausesOnADecline() async throws {
        try await withStripe { setup in
            let method = try await setup.attach("pm_card_visa")
            let path = "/v1/crawler/accounts/\(setup.accountID)/auto-top-up"
            #expect(try await setup.client.json(.get, path, headers: setup.crawlerAuth).0.status == .notFound)
            let (bad, _) = try await setup.client.json(
                .put, path, headers: setup.crawlerAuth,
                body: #"{"payment_method_id":"\#(method)","threshold":{"micros":5000000,"currency":"EUR"},"amount":{"micros":10000000,"currency":"USD"}}"#)
            #expect(bad.status == .unprocessableContent)
            let settings = #"{"payment_method_id":"\#(method)","threshold":{"micros":5000000,"currency":"USD"},"amount":{"micros":10000000,"currency":"USD"}}"#
            #expect(try await setup.client.json(.put, path, headers: setup.crawlerAuth, body: settings).0.status == .ok)
            try await setup.deps.paymentsWorker.runOnce()
            #expect(try await setup.balance() == 10_000_000)
            try await setup.deps.paymentsWorker.runOnce()
            #expect(try await setup.balance() == 10_000_000)
            let (_, list) = try await setup.client.json(.get, "/v1/crawler/accounts/\(setup.accountID)/top-ups", headers: setup.crawlerAuth)
            #expect((list["items"] as? [[String: Any]])?.map { $0["source"] as? String } == ["auto"])

            // Spend below the threshold with a declining card: one attempt, then paused until the settings change.
            _ = try await setup.client.json(
                .post, "/v1/crawler/accounts/\(setup.accountID)/refunds", headers: setup.keyed("spend"), body: #"{"amount":{"micros":8000000,"currency":"USD"}}"#)
            let declining = try await setup.attach("pm_card_chargeDeclined")
            let declined = #"{"payment_method_id":"\#(declining)","threshold":{"micros":5000000,"currency":"USD"},"amount":{"micros":10000000,"currency":"USD"}}"#
            #expect(try await setup.client.json(.put, path, headers: setup.crawlerAuth, body: declined).0.status == .ok)
            try await setup.deps.paymentsWorker.runOnce()
            try await setup.deps.paymentsWorker.runOnce()
            #expect(try await setup.balance() == 2_000_000)
            let (_, paused) = try await setup.client.json(.get, path, headers: setup.crawlerAuth)
            #expect((paused["last_failure"] as? String)?.contains("declined") == true, "\(paused)")
            #expect(try await setup.intents().filter { $0["status"] as? String != "succeeded" }.count == 1)
        }
    }
}
