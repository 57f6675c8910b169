import AsyncHTTPClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayFakes
import NIOCore
import Testing
import TollgateCore

@testable import TollgateGateways

/// PayPalGateway against the PayPal fake, which validates every request against PayPal's published OpenAPI documents.
@Suite(.serialized) struct PayPalGatewayTests {
    static let clientID = "AYpaypal-client-id-0001"
    static let secret = "EKpaypal-secret-do-not-leak-9f3c"
    static let webhookID = "8PT597110X687430LKGECATA"

    /// One fake, one client and one adapter per test; `body` runs with them and everything is shut down after.
    static func withPayPal(
        options: [String: String] = [:], secret: String = secret, _ body: (GatewayHarness<PayPalGateway>) async throws -> Void
    ) async throws {
        try await GatewayHarness<PayPalGateway>.run(
            vendor: "paypal", options: ["client_id": clientID, "client_secret": Self.secret, "webhook_id": webhookID].merging(options) { $1 },
            credentials: ["client_id": clientID, "client_secret": secret, "webhook_id": webhookID], body)
    }

    /// What PayPal's client-side flow does before we see a token: an access token, then an approved card setup token.
    static func setupToken(_ fake: FakeVendorServer, customer: CustomerRef, number: String = "4111111111111111") async throws
        -> String
    {
        let basic = "Basic " + Data("\(clientID):\(secret)".utf8).base64EncodedString()
        let tokenJSON = try await TestHTTP.json(
            "POST", fake.baseURL + "/v1/oauth2/token",
            headers: ["Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"],
            body: Data("grant_type=client_credentials".utf8))
        let accessToken = try #require(tokenJSON["access_token"] as? String)
        let body: [String: Any] = [
            "customer": ["id": customer.id],
            "payment_source": ["card": ["number": number, "expiry": "2030-12", "name": "Crawler Operator"]],
        ]
        let json = try await TestHTTP.json(
            "POST", fake.baseURL + "/v3/vault/setup-tokens",
            headers: ["Authorization": "Bearer \(accessToken)", "Content-Type": "application/json", "PayPal-Request-Id": UUID().uuidString],
            body: try JSONSerialization.data(withJSONObject: body))
        return try #require(json["id"] as? String)
    }

    /// A customer with a card vaulted from an approved setup token.
    static func vaultedCard(_ h: GatewayHarness<PayPalGateway>) async throws -> (CustomerRef, StoredMethod) {
        let customer = try await h.createCustomer()
        return (customer, try await h.attach(customer, token: try await setupToken(h.fake, customer: customer)))
    }

    static func usd(_ text: String) -> Money { try! WireAmount.money(decimalString: text, currency: .usd) }

    // MARK: tests

    @Test func customerAttachAndLookup() async throws {
        try await Self.withPayPal { h in
            let account = UUID()
            let customer = try await h.gateway.createCustomer(
                CreateCustomer(ownerID: account, email: "a@b.example", name: "A"), key: IdempotencyKey(ledgerKey: "c", operation: "customer"))
            let again = try await h.gateway.createCustomer(
                CreateCustomer(ownerID: account, email: "a@b.example", name: "A"), key: IdempotencyKey(ledgerKey: "d", operation: "customer"))
            #expect(customer == again && customer.id.count == 22)

            let token = try await Self.setupToken(h.fake, customer: customer)
            let method = try await h.gateway.attachPaymentMethod(
                AttachPaymentMethod(customer: customer, token: token), key: IdempotencyKey(ledgerKey: "m", operation: "attach"))
            #expect(method.display == "visa •••• 1111")
            #expect(method.status == .active)
            #expect(method.expires == DateComponents(year: 2030, month: 12))
            #expect(try await h.gateway.paymentMethod(method.ref) == method)

            // The vault call carried the documented SETUP_TOKEN conversion, our customer id and a request id.
            let vault = try #require(try await h.fake.requests().first { $0.method == "POST" && $0.path == "/v3/vault/payment-tokens" })
            let body = try vault.jsonBody()
            let source = (body["payment_source"] as? [String: Any])?["token"] as? [String: Any]
            #expect(source?["type"] as? String == "SETUP_TOKEN" && source?["id"] as? String == token)
            #expect((body["customer"] as? [String: Any])?["id"] as? String == customer.id)
            #expect(vault.headers["paypal-request-id"] == IdempotencyKey(ledgerKey: "m", operation: "attach").raw)

            await #expect(throws: GatewayError.notFound) { try await h.gateway.paymentMethod(StoredMethodRef(id: "nosuchtoken")) }
            try await h.expectCleanRequests()
        }
    }

    @Test func chargeSendsTheExactDecimalAmountAndReference() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let key = IdempotencyKey(ledgerKey: "topup-1", operation: "charge")
            let outcome = try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("12.34"), reference: "TOPUP0000000001"), key: key)
            #expect(outcome.state == .succeeded)
            #expect(outcome.amount == Self.usd("12.34"))

            let order = try #require(try await h.fake.requests().first { $0.method == "POST" && $0.path == "/v2/checkout/orders" })
            #expect(order.headers["paypal-request-id"] == key.raw)
            let unit = try #require((try order.jsonBody()["purchase_units"] as? [[String: Any]])?.first)
            let amount = unit["amount"] as? [String: Any]
            #expect(amount?["value"] as? String == "12.34" && amount?["currency_code"] as? String == "USD")
            #expect(unit["custom_id"] as? String == "TOPUP0000000001")

            // HUF goes without decimals on PayPal's wire; a HUF amount with fillér is refused before any call.
            let huf = try Currency("HUF")
            let hufOutcome = try await h.gateway.charge(
                h.chargeRequest(customer, method, Money(micros: 1_500_000_000, currency: huf), reference: "TOPUP2"),
                key: IdempotencyKey(ledgerKey: "topup-2", operation: "charge"))
            #expect(hufOutcome.amount == Money(micros: 1_500_000_000, currency: huf))
            let hufOrder = try #require(try await h.fake.requests().last { $0.method == "POST" && $0.path == "/v2/checkout/orders" })
            let hufUnit = try #require((try hufOrder.jsonBody()["purchase_units"] as? [[String: Any]])?.first)
            #expect((hufUnit["amount"] as? [String: Any])?["value"] as? String == "1500")
            await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(
                    h.chargeRequest(customer, method, Money(micros: 1_500_500_000, currency: huf), reference: "TOPUP3"),
                    key: IdempotencyKey(ledgerKey: "topup-3", operation: "charge"))
            }

            let status = try await h.gateway.paymentStatus(outcome.ref)
            #expect(status == PaymentOutcome(ref: outcome.ref, state: .succeeded, amount: Self.usd("12.34")))
            try await h.expectCleanRequests()
        }
    }

    @Test func declineCapturesNothing() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            try await h.fake.inject(.decline(match: "POST /v2/checkout/orders"))
            let error = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "d", operation: "charge"))
            }
            guard case .declined(let decline) = error else {
                Issue.record("expected a decline, got \(String(describing: error))")
                return
            }
            #expect(decline.code == "5400")
            let captures = try #require(try await h.fake.state()["captures"] as? [[String: Any]])
            #expect(captures.count == 1 && captures.allSatisfy { $0["status"] as? String == "DECLINED" })
            try await h.expectCleanRequests()
        }
    }

    @Test func serverErrorsAreTransientAndRateLimitsCarryRetryAfter() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            try await h.fake.inject(.status(503, match: "POST /v2/checkout/orders"))
            let unavailable = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            #expect(unavailable?.isRetryable == true)
            if case .transient = unavailable {} else { Issue.record("503 gave \(String(describing: unavailable))") }

            try await h.fake.inject(.rateLimit(retryAfterSeconds: 7, match: "POST /v2/checkout/orders"))
            await #expect(throws: GatewayError.rateLimited(retryAfter: .seconds(7))) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            let captures = try #require(try await h.fake.state()["captures"] as? [[String: Any]])
            #expect(captures.isEmpty)
            try await h.expectCleanRequests()
        }
    }

    @Test func lostResponseRetriedWithTheSameKeyChargesOnce() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let request = h.chargeRequest(customer, method, Self.usd("20.00"), reference: "TOPUPLOST")
            let key = IdempotencyKey(ledgerKey: "lost", operation: "charge")
            try await h.fake.inject(.dropAfterSuccess(match: "POST /v2/checkout/orders"))
            let lost = await #expect(throws: GatewayError.self) { try await h.gateway.charge(request, key: key) }
            #expect(lost?.isRetryable == true)

            let retried = try await h.gateway.charge(request, key: key)
            #expect(retried.state == .succeeded)
            let state = try await h.fake.state()
            let captures = try #require(state["captures"] as? [[String: Any]])
            #expect(captures.count == 1 && captures.first?["id"] as? String == retried.ref.id)
            #expect((state["orders"] as? [Any])?.count == 1)

            // The same key with a different charge is PayPal's PAYPAL_REQUEST_ID_PREVIOUSLY_USED.
            await #expect(throws: GatewayError.idempotencyConflict) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("21.00"), reference: "TOPUPLOST"), key: key)
            }
            try await h.expectCleanRequests()
        }
    }

    @Test func partialRefundAndOverRefundRefused() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let payment = try await h.gateway.charge(
                h.chargeRequest(customer, method, Self.usd("10.00")), key: IdempotencyKey(ledgerKey: "r", operation: "charge"))
            let refund = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Self.usd("4.00"), reason: "unused credit", reference: "REFUND1"),
                key: IdempotencyKey(ledgerKey: "r1", operation: "refund"))
            #expect(refund.state == .succeeded && refund.amount == Self.usd("4.00"))
            let recorded = try #require(try await h.fake.requests().first { $0.path.hasSuffix("/refund") })
            #expect((try recorded.jsonBody()["amount"] as? [String: Any])?["value"] as? String == "4.00")

            let error = await #expect(throws: GatewayError.self) {
                try await h.gateway.refund(
                    RefundRequest(payment: payment.ref, amount: Self.usd("6.01"), reason: "too much", reference: "REFUND2"),
                    key: IdempotencyKey(ledgerKey: "r2", operation: "refund"))
            }
            guard case .invalidRequest(let code, _, _) = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(code == "REFUND_AMOUNT_EXCEEDED")
            let capture = try #require((try await h.fake.state()["captures"] as? [[String: Any]])?.first)
            #expect(capture["status"] as? String == "PARTIALLY_REFUNDED")
            #expect(try await h.gateway.paymentStatus(payment.ref).state == .succeeded)
            try await h.expectCleanRequests()
        }
    }

    /// Replaces (or adds) one header of a delivery.
    static func headers(_ event: FakeVendorServer.Event, replacing name: String? = nil, with value: String = "") -> WebhookHeaders {
        var headers = WebhookHeaders()
        for (key, original) in event.headers.sorted(by: { $0.key < $1.key }) {
            headers.append(name: key, value: key.lowercased() == name?.lowercased() ? value : original)
        }
        return headers
    }

    /// The real checker: the certificate is fetched from the fake (the base URL's origin), chain-validated against the
    /// fake's root CA and used for the RSA check, exactly as against PayPal with the system roots.
    static func verifier(_ h: GatewayHarness<PayPalGateway>) async throws -> PayPalWebhookVerifier {
        let anchor = try #require(try await h.fake.state()["certificate_authority"] as? String)
        return try PayPalGateway.webhookVerifier(settings: h.settings, transport: h.transport, trustAnchorsPEM: anchor)
    }

    static func expectRefused(
        _ verifier: some WebhookVerifier, _ headers: WebhookHeaders, _ body: [UInt8], because reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let error = await #expect(throws: WebhookVerificationError.self, sourceLocation: sourceLocation) {
            try await verifier.verify(headers: headers, body: body)
        }
        #expect(error.map { "\($0)".contains(reason) } == true, "\(String(describing: error))", sourceLocation: sourceLocation)
    }

    @Test func webhooksVerifyUnderThePayPalCertificateAndMapToEvents() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let payment = try await h.gateway.charge(
                h.chargeRequest(customer, method, Self.usd("9.99"), reference: "TOPUPHOOK"), key: IdempotencyKey(ledgerKey: "w", operation: "charge"))
            _ = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Self.usd("1.50"), reason: "partial", reference: "REFUNDHOOK"),
                key: IdempotencyKey(ledgerKey: "w1", operation: "refund"))
            let events = try await h.fake.events()
            #expect(events.count == 2)
            let verifier = try await Self.verifier(h)

            var mapped: [GatewayEvent] = []
            for event in events {
                #expect(event.headers["PAYPAL-CERT-URL"]?.hasPrefix(h.fake.baseURL + "/v1/notifications/certs/") == true)
                let delivery = try await verifier.verify(headers: Self.headers(event), body: Array(event.body.utf8))
                #expect(delivery.eventID == event.id)
                mapped += try h.gateway.events(in: delivery, body: Array(event.body.utf8))
            }
            // One certificate URL, fetched once and then served from the cache.
            #expect(try await h.fake.requests().filter { $0.path.hasPrefix("/v1/notifications/certs/") }.count == 1)
            #expect(mapped.count == 2)
            #expect(mapped[0].kind == .paymentSucceeded && mapped[0].payment == payment.ref)
            #expect(mapped[0].reference == "TOPUPHOOK" && mapped[0].amount == Self.usd("9.99"))
            #expect(mapped[1].kind == .refundSucceeded && mapped[1].payment == payment.ref)
            #expect(mapped[1].reference == "REFUNDHOOK" && mapped[1].amount == Self.usd("1.50"))
            try await h.expectCleanRequests()
        }
    }

    @Test func forgedWebhooksAreRefused() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let payment = try await h.gateway.charge(
                h.chargeRequest(customer, method, Self.usd("3.00")), key: IdempotencyKey(ledgerKey: "f", operation: "charge"))
            _ = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Self.usd("1.00"), reason: "", reference: "REFUNDF"),
                key: IdempotencyKey(ledgerKey: "f1", operation: "refund"))
            let events = try await h.fake.events()
            let (first, second) = (events[0], events[1])
            let body = Array(first.body.utf8)
            let verifier = try await Self.verifier(h)
            _ = try await verifier.verify(headers: Self.headers(first), body: body)

            // A changed body no longer verifies under the real signature.
            await Self.expectRefused(
                verifier, Self.headers(first),
                Array(first.body.replacingOccurrences(of: "\"event_version\": \"1.0\"", with: "\"event_version\": \"1.1\"").utf8),
                because: "does not verify under the certificate's key")
            // A genuine signature of another delivery, and a signature with one bit changed.
            let otherSignature = try #require(second.headers["PAYPAL-TRANSMISSION-SIG"])
            await Self.expectRefused(
                verifier, Self.headers(first, replacing: "PAYPAL-TRANSMISSION-SIG", with: otherSignature), body,
                because: "does not verify under the certificate's key")
            let signatureText = try #require(first.headers["PAYPAL-TRANSMISSION-SIG"])
            var flipped = try #require(Data(base64Encoded: signatureText))
            flipped[flipped.count / 2] ^= 0x01
            await Self.expectRefused(
                verifier, Self.headers(first, replacing: "PAYPAL-TRANSMISSION-SIG", with: flipped.base64EncodedString()), body,
                because: "does not verify under the certificate's key")
            // Another transmission id or webhook id changes the signed string.
            await Self.expectRefused(
                verifier, Self.headers(first, replacing: "PAYPAL-TRANSMISSION-ID", with: UUID().uuidString.lowercased()), body,
                because: "does not verify")

            // Certificate URLs off PayPal's hosts and the configured base URL's exact origin are never fetched.
            let certificateText = try #require(first.headers["PAYPAL-CERT-URL"])
            let certificatePath = try #require(URL(string: certificateText)).path
            let port = try #require(URL(string: h.fake.baseURL)?.port)
            for url in [
                "https://evil.example" + certificatePath, "https://api.paypal.com.evil.example" + certificatePath,
                "http://api.paypal.com" + certificatePath, "http://127.0.0.1:\(port + 1)" + certificatePath,
                "https://127.0.0.1:\(port)" + certificatePath, "http://localhost:\(port)" + certificatePath,
            ] {
                await #expect(throws: WebhookVerificationError.untrustedCertificateURL(url)) {
                    try await verifier.verify(headers: Self.headers(first, replacing: "PAYPAL-CERT-URL", with: url), body: body)
                }
            }
            // An allowed location that does not hold the certificate.
            await Self.expectRefused(
                verifier, Self.headers(first, replacing: "PAYPAL-CERT-URL", with: h.fake.baseURL + "/v1/notifications/certs/CERT-none"), body,
                because: "could not be fetched")
            // Only SHA256withRSA.
            await #expect(throws: WebhookVerificationError.self) {
                try await verifier.verify(headers: Self.headers(first, replacing: "PAYPAL-AUTH-ALGO", with: "SHA1withRSA"), body: body)
            }

            // The protocol's verifier (over the server's transport) anchors on the system roots, which do not include the
            // fake's CA.
            await Self.expectRefused(try h.webhookVerifier(), Self.headers(first), body, because: "does not chain to a trust anchor")
        }
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        try await Self.withPayPal(options: ["cert_expired": "1"]) { h in
            let (customer, method) = try await Self.vaultedCard(h)
            _ = try await h.gateway.charge(
                h.chargeRequest(customer, method, Self.usd("2.00")), key: IdempotencyKey(ledgerKey: "x", operation: "charge"))
            let event = try #require(try await h.fake.events().first)
            let verifier = try await Self.verifier(h)
            await Self.expectRefused(verifier, Self.headers(event), Array(event.body.utf8), because: "the certificate expired")
        }
    }

    @Test func aFailedCertificateFetchIsRetriedOnTheNextDelivery() async throws {
        try await Self.withPayPal { h in
            let (customer, method) = try await Self.vaultedCard(h)
            _ = try await h.gateway.charge(
                h.chargeRequest(customer, method, Self.usd("2.00")), key: IdempotencyKey(ledgerKey: "y", operation: "charge"))
            let event = try #require(try await h.fake.events().first)
            let verifier = try await Self.verifier(h)
            try await h.fake.inject(.status(503, match: "GET /v1/notifications/certs/"))
            await Self.expectRefused(verifier, Self.headers(event), Array(event.body.utf8), because: "could not be fetched: HTTP status 503")
            #expect(try await verifier.verify(headers: Self.headers(event), body: Array(event.body.utf8)).eventID == event.id)
        }
    }

    @Test func certificateURLPolicy() throws {
        let base = "http://127.0.0.1:4010"
        for url in [
            "https://api.paypal.com/v1/notifications/certs/CERT-1", "https://api-m.paypal.com/v1/notifications/certs/CERT-1",
            "https://API.SANDBOX.PAYPAL.COM/v1/notifications/certs/CERT-1", "https://api-m.sandbox.paypal.com:443/c",
            "http://127.0.0.1:4010/v1/notifications/certs/CERT-1",
        ] {
            #expect(PayPalCertificateChecker.isAllowedCertificateURL(try #require(URL(string: url)), baseURL: base), "\(url)")
        }
        for url in [
            "http://api.paypal.com/c", "https://paypal.com/c", "https://www.paypal.com/c", "https://api.paypal.com:8443/c",
            "https://user@api.paypal.com/c", "https://api.paypal.com.evil.example/c", "https://evilpaypal.com/c",
            "http://127.0.0.1:4011/c", "https://127.0.0.1:4010/c", "http://localhost:4010/c", "ftp://api.paypal.com/c",
        ] {
            #expect(!PayPalCertificateChecker.isAllowedCertificateURL(try #require(URL(string: url)), baseURL: base), "\(url)")
        }
        // Without a base URL only PayPal's hosts remain.
        #expect(!PayPalCertificateChecker.isAllowedCertificateURL(try #require(URL(string: base + "/c")), baseURL: nil))
        #expect(throws: WebhookVerificationError.self) {
            try PayPalCertificateChecker(
                transport: GatewayTransport(client: .shared), trustAnchorsPEM: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
        }
        #expect(throws: WebhookVerificationError.self) {
            try PayPalCertificateChecker(transport: GatewayTransport(client: .shared), trustAnchorsPEM: "")
        }
    }

    @Test func accessTokenIsCachedRefreshedAndRetriedOnceOn401() async throws {
        try await Self.withPayPal { h in
            let (_, method) = try await Self.vaultedCard(h)
            _ = try await h.gateway.paymentMethod(method.ref)
            _ = try await h.gateway.paymentMethod(method.ref)
            #expect(await h.gateway.tokens.fetches == 1)

            // PayPal revoking the token early: one 401, a new token, the call succeeds.
            try await h.fake.inject(.status(401, match: "GET /v3/vault/payment-tokens/"))
            #expect(try await h.gateway.paymentMethod(method.ref) == method)
            #expect(await h.gateway.tokens.fetches == 2)

            // Two 401s in a row are a real credential problem, not a stale token.
            try await h.fake.inject(.status(401, match: "GET /v3/vault/payment-tokens/", times: 2))
            await #expect(throws: GatewayError.authentication) { try await h.gateway.paymentMethod(method.ref) }
            let tokenCalls = try await h.fake.requests().filter { $0.path == "/v1/oauth2/token" }
            #expect(tokenCalls.count == 4)  // 3 by the adapter, 1 by the test's setup-token helper
            try await h.expectCleanRequests()
        }
        // A short-lived token is replaced before it expires: no call ever reaches PayPal with an expired token.
        try await Self.withPayPal(options: ["token_ttl": "2"]) { h in
            let (_, method) = try await Self.vaultedCard(h)
            try await Task.sleep(for: .milliseconds(1700))
            _ = try await h.gateway.paymentMethod(method.ref)
            #expect(await h.gateway.tokens.fetches == 2)
            try await h.expectCleanRequests()
        }
    }

    @Test func wrongSecretIsAnAuthenticationErrorThatNeverShowsTheSecret() async throws {
        try await Self.withPayPal(secret: "EKwrong-secret-value-77") { h in
            let error = await #expect(throws: GatewayError.authentication) {
                try await h.gateway.paymentMethod(StoredMethodRef(id: "abc"))
            }
            for text in [String(describing: error), String(describing: h.gateway), String(reflecting: h.gateway)] {
                #expect(!text.contains("EKwrong-secret-value-77") && !text.contains(Self.clientID) && !text.contains(Self.secret))
            }
            // The only problem the fake saw is the bad credential we sent on purpose.
            let problems = try await h.fake.requests().flatMap(\.problems)
            #expect(problems == ["OAuth client credentials missing or wrong"])
        }
    }

    @Test func unsupportedBalanceAndCapabilities() async throws {
        try await Self.withPayPal { h in
            await #expect(throws: GatewayError.self) { try await h.gateway.balance(of: CustomerRef(id: "x")) }
            #expect(h.gateway.capabilities == GatewayCapabilities.of(.paypal))
            #expect(!h.gateway.capabilities.contains(.customerBalance))
            #expect(PayPalGateway.credentialFields.map(\.name) == ["client_id", "client_secret", "webhook_id"])
        }
    }
}

/// Plain HTTP for the steps a buyer's browser or PayPal's JS SDK would do, outside the adapter under test.
enum TestHTTP {
    static func data(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) async throws -> Data {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw FakeError("\(method) \(url) → \(status)") }
        return data
    }

    static func json(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) async throws
        -> [String: Any]
    {
        try #require(try JSONSerialization.jsonObject(with: try await data(method, url, headers: headers, body: body)) as? [String: Any])
    }
}
