import Foundation
import GatewayFakes
import NIOCore
import Testing
import TollgateCore

@testable import TollgateGateways

/// The Square adapter against the spec-validating Square fake (Tests/fakes/gateway_fakes/square.py).
@Suite(.serialized) struct SquareGatewayTests {
    static let accessToken = "EAAAsq-test-access-token-1234"
    static let signatureKey = "sq-signature-key-abcdef"
    static let notificationURL = "https://tollgate.example/v1/webhooks/square"
    static let locationID = "LMAINFAKE01"
    /// Square's sandbox nonce for a card that is accepted.
    static let nonce = "cnon:card-nonce-ok"

    /// One fake Square per test and the adapter pointed at it.
    static func withSquare(_ body: (GatewayHarness<SquareGateway>) async throws -> Void) async throws {
        let credentials = [
            "access_token": accessToken, "webhook_signature_key": signatureKey, "webhook_notification_url": notificationURL,
            "location_id": locationID,
        ]
        try await GatewayHarness<SquareGateway>.run(vendor: "square", options: credentials, credentials: credentials, body)
    }

    @Test func customerCardAndLookup() async throws {
        try await Self.withSquare { h in
            let account = UUID()
            let customer = try await h.gateway.createCustomer(
                CreateCustomer(ownerID: account, email: "ops@crawler.example", name: "Crawler Inc"),
                key: IdempotencyKey(ledgerKey: "cust-1", operation: "customer"))
            let method = try await h.gateway.attachPaymentMethod(
                AttachPaymentMethod(customer: customer, token: "cnon:card-nonce-ok"), key: IdempotencyKey(ledgerKey: "card-1", operation: "attach"))
            #expect(method.ref.id.hasPrefix("ccof:"))
            #expect(method.status == .active)
            #expect(method.display == "visa •••• 1111")
            #expect(method.expires?.month == 12)
            let looked = try await h.gateway.paymentMethod(method.ref)
            #expect(looked == method)

            let state = try await h.fake.state()
            let customers = try #require(state["customers"] as? [[String: Any]])
            #expect(customers.count == 1)
            #expect(customers.first?["id"] as? String == customer.id)
            #expect(customers.first?["reference_id"] as? String == account.uuidString.lowercased())
            #expect(customers.first?["email_address"] as? String == "ops@crawler.example")
            let cards = try #require(state["cards"] as? [[String: Any]])
            #expect(cards.first?["customer_id"] as? String == customer.id)

            let requests = try await h.fake.requests()
            #expect(requests.map { "\($0.method) \($0.path)" } == ["POST /v2/customers", "POST /v2/cards", "GET /v2/cards/\(method.ref.id)"])
            for request in requests {
                #expect(request.headers["square-version"] == "2025-08-20")
                #expect(request.headers["authorization"] == "Bearer \(Self.accessToken)")
            }
            try await h.expectCleanRequests()
        }
    }

    @Test func chargeSendsTheExactWireAmountAndCanBeLookedUp() async throws {
        try await Self.withSquare { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.nonce)
            let key = IdempotencyKey(ledgerKey: "topup-1", operation: "charge")
            let amount = Money(micros: 12_340_000, currency: .usd)
            let outcome = try await h.gateway.charge(
                ChargeRequest(customer: customer, method: method.ref, amount: amount, description: "Top-up", reference: "TOPUP0001"), key: key)
            #expect(outcome.state == .succeeded)
            #expect(outcome.amount == amount)

            let sent = try #require(try await h.fake.requests().last { $0.path == "/v2/payments" })
            let body = try sent.jsonBody()
            #expect((body["amount_money"] as? [String: Any])?["amount"] as? Int == 1234)
            #expect((body["amount_money"] as? [String: Any])?["currency"] as? String == "USD")
            #expect(body["idempotency_key"] as? String == key.raw)
            #expect(body["source_id"] as? String == method.ref.id)
            #expect(body["customer_id"] as? String == customer.id)
            #expect(body["reference_id"] as? String == "TOPUP0001")
            #expect(body["location_id"] as? String == Self.locationID)
            #expect(body["autocomplete"] as? Bool == true)
            #expect(sent.headers["idempotency-key"] == nil)

            let status = try await h.gateway.paymentStatus(outcome.ref)
            #expect(status == outcome)
            try await h.expectCleanRequests()
        }
    }

    @Test func declineThrowsAndNothingIsCaptured() async throws {
        try await Self.withSquare { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.nonce)
            try await h.fake.inject(.decline(match: "POST /v2/payments"))
            let error = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, micros: 5_000_000), key: IdempotencyKey(ledgerKey: "d1", operation: "charge"))
            }
            guard case .declined(let decline)? = error else {
                Issue.record("expected a decline, got \(String(describing: error))")
                return
            }
            #expect(decline.code == "GENERIC_DECLINE")
            #expect(error?.isRetryable == false)

            let payments = try #require(try await h.fake.state()["payments"] as? [[String: Any]])
            #expect(payments.count == 1)
            #expect(payments.allSatisfy { $0["status"] as? String == "FAILED" && $0["approved_money"] == nil })
            // The failed payment exists at Square; looking it up reports the decline.
            let status = try await h.gateway.paymentStatus(PaymentRef(id: try #require(payments.first?["id"] as? String)))
            #expect(status.state == .declined(decline))

            // Square's sandbox nonce for a declining card behaves the same without a fault.
            let (holder, declining) = try await h.customerAndMethod(token: "cnon:card-nonce-declined")
            let second = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(holder, declining, micros: 1_000_000), key: IdempotencyKey(ledgerKey: "d2", operation: "charge"))
            }
            #expect(second == .declined(decline))
            try await h.expectCleanRequests()
        }
    }

    @Test func serviceUnavailableIsTransientAndRateLimitCarriesRetryAfter() async throws {
        try await Self.withSquare { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.nonce)
            try await h.fake.inject(.status(503, match: "POST /v2/payments"))
            let unavailable = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, micros: 1_000_000), key: IdempotencyKey(ledgerKey: "t1", operation: "charge"))
            }
            guard case .transient? = unavailable else {
                Issue.record("expected .transient, got \(String(describing: unavailable))")
                return
            }
            #expect(unavailable?.isRetryable == true)

            try await h.fake.inject(.rateLimit(retryAfterSeconds: 7, match: "GET /v2/cards"))
            await #expect(throws: GatewayError.rateLimited(retryAfter: .seconds(7))) {
                try await h.gateway.paymentMethod(method.ref)
            }
            let none = try #require(try await h.fake.state()["payments"] as? [[String: Any]])
            #expect(none.isEmpty)
            try await h.expectCleanRequests()
        }
    }

    @Test func lostResponseRetriedWithTheSameKeyChargesOnce() async throws {
        try await Self.withSquare { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.nonce)
            let key = IdempotencyKey(ledgerKey: "lost-1", operation: "charge")
            let request = h.chargeRequest(customer, method, micros: 25_000_000)
            try await h.fake.inject(.dropAfterSuccess(match: "POST /v2/payments"))
            let lost = await #expect(throws: GatewayError.self) { try await h.gateway.charge(request, key: key) }
            #expect(lost?.isRetryable == true)

            let retried = try await h.gateway.charge(request, key: key)
            #expect(retried.state == .succeeded)
            let payments = try #require(try await h.fake.state()["payments"] as? [[String: Any]])
            #expect(payments.count == 1)
            #expect(payments.first?["id"] as? String == retried.ref.id)
            let keys = try await h.fake.requests().filter { $0.path == "/v2/payments" }.map { try $0.jsonBody()["idempotency_key"] as? String }
            #expect(keys == [key.raw, key.raw])

            // The same key with a different amount is Square's IDEMPOTENCY_KEY_REUSED.
            await #expect(throws: GatewayError.idempotencyConflict) {
                try await h.gateway.charge(h.chargeRequest(customer, method, micros: 26_000_000), key: key)
            }
            #expect((try await h.fake.state()["payments"] as? [[String: Any]])?.count == 1)
            try await h.expectCleanRequests()
        }
    }

    @Test func partialRefundAndOverRefundRefused() async throws {
        try await Self.withSquare { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.nonce)
            let payment = try await h.gateway.charge(h.chargeRequest(customer, method, micros: 10_000_000), key: IdempotencyKey(ledgerKey: "r", operation: "charge"))
            let refund = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Money(micros: 4_000_000, currency: .usd), reason: "unused credit", reference: "REFUND01"),
                key: IdempotencyKey(ledgerKey: "r1", operation: "refund"))
            #expect(refund.state == .succeeded)
            #expect(refund.amount == Money(micros: 4_000_000, currency: .usd))
            let sent = try #require(try await h.fake.requests().last { $0.path == "/v2/refunds" }).jsonBody()
            #expect((sent["amount_money"] as? [String: Any])?["amount"] as? Int == 400)
            #expect(sent["payment_id"] as? String == payment.ref.id)

            let error = await #expect(throws: GatewayError.self) {
                try await h.gateway.refund(
                    RefundRequest(payment: payment.ref, amount: Money(micros: 7_000_000, currency: .usd), reason: "too much", reference: "REFUND02"),
                    key: IdempotencyKey(ledgerKey: "r2", operation: "refund"))
            }
            guard case .invalidRequest(let code, _, _)? = error else {
                Issue.record("expected .invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(code == "REFUND_AMOUNT_INVALID")
            let state = try await h.fake.state()
            #expect((state["refunds"] as? [[String: Any]])?.count == 1)
            let stored = try #require((state["payments"] as? [[String: Any]])?.first)
            #expect((stored["refunded_money"] as? [String: Any])?["amount"] as? Int == 400)
            try await h.expectCleanRequests()
        }
    }

    @Test func webhooksFromTheFakeVerifyAndMap() async throws {
        try await Self.withSquare { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.nonce)
            let payment = try await h.gateway.charge(h.chargeRequest(customer, method, micros: 8_000_000, reference: "TOPUP0042"), key: IdempotencyKey(ledgerKey: "w", operation: "charge"))
            let refund = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Money(micros: 3_000_000, currency: .usd), reason: "partial", reference: "REFUND42"),
                key: IdempotencyKey(ledgerKey: "w1", operation: "refund"))
            let verifier = try h.webhookVerifier()
            let events = try await h.fake.events()
            #expect(events.count == 2)

            var mapped: [GatewayEvent] = []
            for event in events {
                let headers = event.webhookHeaders
                let body = Array(event.body.utf8)
                let verified = try await verifier.verify(headers: headers, body: body)
                #expect(verified.eventID == event.id)
                mapped += try h.gateway.events(in: verified, body: body)

                var tampered = body
                tampered[tampered.count / 2] ^= 0x01
                await #expect(throws: WebhookVerificationError.self) { try await verifier.verify(headers: headers, body: tampered) }
            }
            #expect(mapped.count == 2)
            #expect(mapped[0].kind == .paymentSucceeded)
            #expect(mapped[0].payment == payment.ref)
            #expect(mapped[0].reference == "TOPUP0042")
            #expect(mapped[0].amount == Money(micros: 8_000_000, currency: .usd))
            #expect(mapped[1].kind == .refundSucceeded)
            #expect(mapped[1].payment == payment.ref)
            #expect(mapped[1].refundID == refund.id)
            #expect(mapped[1].reference == "REFUND42")
            #expect(mapped[1].amount == Money(micros: 3_000_000, currency: .usd))

            // Signed for another notification URL: refused.
            let other = try SquareGateway.webhookVerifier(
                settings: GatewaySettings(baseURL: h.fake.baseURL, credentials: h.settings.credentials.merging(["webhook_notification_url": "https://elsewhere.example/hook"]) { $1 }),
                transport: h.transport)
            let first = try #require(events.first)
            await #expect(throws: WebhookVerificationError.self) {
                try await other.verify(headers: first.webhookHeaders, body: Array(first.body.utf8))
            }
            try await h.expectCleanRequests()
        }
    }

    @Test func secretsNeverAppearInErrorsOrDescriptions() async throws {
        try await Self.withSquare { h in
            let wrong = try h.reconfigured(credentials: ["access_token": "EAAAwrong-secret-value"]).gateway
            let error = await #expect(throws: GatewayError.authentication) {
                try await wrong.paymentMethod(StoredMethodRef(id: "ccof:nothing"))
            }
            var texts = [String(describing: error), String(describing: h.gateway), String(reflecting: h.gateway), String(describing: wrong)]
            var dumped = ""
            dump(h.gateway, to: &dumped)
            texts.append(dumped)
            for fault in [FakeVendorServer.Fault.status(503, match: nil), .status(500, match: nil), .rateLimit(retryAfterSeconds: 2, match: nil)] {
                try await h.fake.inject(fault)
                do {
                    _ = try await h.gateway.paymentMethod(StoredMethodRef(id: "ccof:nothing"))
                } catch {
                    texts.append(String(describing: error))
                }
            }
            let missing = #expect(throws: GatewayError.self) { try SquareGateway.webhookVerifier(settings: GatewaySettings(baseURL: "", credentials: [:]), transport: h.transport) }
            texts.append(String(describing: missing))
            #expect(texts.count == 9)
            for text in texts {
                for secret in [Self.accessToken, Self.signatureKey, "EAAAwrong-secret-value"] {
                    #expect(!text.contains(secret), "\(text)")
                }
            }
            // The wrong token is the only request Square would have refused.
            let refused = try await h.refusedRequests()
            #expect(refused.count == 1)
            #expect(refused.first?.headers["authorization"] == "Bearer EAAAwrong-secret-value")
        }
    }
}
