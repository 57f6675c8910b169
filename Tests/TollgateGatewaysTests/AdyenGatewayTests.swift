import Foundation
import GatewayFakes
import NIOCore
import Testing
import TollgateCore

@testable import TollgateGateways

/// The Adyen adapter against the spec-validating Adyen fake (Tests/fakes/gateway_fakes/adyen.py).
@Suite(.serialized) struct AdyenGatewayTests {
    static let apiKey = "AQEyhmfxTEST-api-key-0123456789"
    static let merchantAccount = "TollgateECOM"
    static let hmacKey = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"

    /// One fake Adyen per test and the adapter pointed at it.
    static func withAdyen(_ body: (GatewayHarness<AdyenGateway>) async throws -> Void) async throws {
        let credentials = ["api_key": apiKey, "merchant_account": merchantAccount, "hmac_key": hmacKey]
        try await GatewayHarness<AdyenGateway>.run(vendor: "adyen", options: credentials, credentials: credentials, body)
    }

    /// What Adyen Web hands over for a card, with Adyen's documented test values in place of encrypted fields.
    static func cardToken(holder: String = "J. Crawler") -> String {
        #"{"type":"scheme","encryptedCardNumber":"test_4111111111111111","encryptedExpiryMonth":"test_03","encryptedExpiryYear":"test_2030","encryptedSecurityCode":"test_737","holderName":"\#(holder)"}"#
    }

    @Test func shopperReferenceStoredCardAndLookup() async throws {
        try await Self.withAdyen { h in
            let account = UUID()
            let customer = try await h.gateway.createCustomer(
                CreateCustomer(ownerID: account, email: "ops@crawler.example", name: "Crawler Inc"), key: IdempotencyKey(ledgerKey: "c", operation: "customer"))
            let again = try await h.gateway.createCustomer(
                CreateCustomer(ownerID: account, email: "other@crawler.example", name: "Renamed"), key: IdempotencyKey(ledgerKey: "c2", operation: "customer"))
            // No customer object at Adyen: nothing is sent, and the shopperReference is stable and free of PII.
            #expect(customer == again)
            #expect(customer.id == account.uuidString.lowercased())
            #expect(try await h.fake.requests().isEmpty)

            let key = IdempotencyKey(ledgerKey: "card-1", operation: "attach")
            let method = try await h.gateway.attachPaymentMethod(AttachPaymentMethod(customer: customer, token: Self.cardToken()), key: key)
            #expect(method.ref.id.hasPrefix("\(customer.id):"))
            #expect(method.status == .active)
            #expect(method.display == "visa •••• 1111")
            #expect(method.expires == DateComponents(year: 2030, month: 3))
            #expect(try await h.gateway.paymentMethod(method.ref) == method)
            await #expect(throws: GatewayError.notFound) {
                try await h.gateway.paymentMethod(StoredMethodRef(id: "\(customer.id):M999"))
            }

            let requests = try await h.fake.requests()
            #expect(requests.map { "\($0.method) \($0.path)" } == ["POST /v71/storedPaymentMethods", "GET /v71/storedPaymentMethods", "GET /v71/storedPaymentMethods"])
            #expect(requests[0].headers["idempotency-key"] == key.raw)
            #expect(requests.allSatisfy { $0.headers["x-api-key"] == Self.apiKey })
            let stored = try requests[0].jsonBody()
            #expect(stored["shopperReference"] as? String == customer.id)
            #expect(stored["merchantAccount"] as? String == Self.merchantAccount)
            #expect(stored["recurringProcessingModel"] as? String == "UnscheduledCardOnFile")
            #expect(requests[1].query.contains(["shopperReference", customer.id]))
            #expect(requests[1].query.contains(["merchantAccount", Self.merchantAccount]))

            let bad = await #expect(throws: GatewayError.self) {
                try await h.gateway.attachPaymentMethod(AttachPaymentMethod(customer: customer, token: "not json"), key: key)
            }
            guard case .invalidRequest(_, _, let field)? = bad else {
                Issue.record("expected .invalidRequest, got \(String(describing: bad))")
                return
            }
            #expect(field == "token")
            try await h.expectCleanRequests()
        }
    }

    @Test func chargeSendsTheExactWireAmountAndStatusLookupIsUnsupported() async throws {
        try await Self.withAdyen { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.cardToken())
            let key = IdempotencyKey(ledgerKey: "topup-1", operation: "charge")
            let amount = Money(micros: 12_340_000, currency: .eur)
            let outcome = try await h.gateway.charge(
                ChargeRequest(customer: customer, method: method.ref, amount: amount, description: "Top-up", reference: "TOPUP0001"), key: key)
            #expect(outcome.state == .succeeded)
            #expect(outcome.amount == amount)
            #expect(outcome.ref.id.hasPrefix("FAKE"))

            let sent = try #require(try await h.fake.requests().last { $0.path == "/v71/payments" })
            #expect(sent.headers["idempotency-key"] == key.raw)
            let body = try sent.jsonBody()
            #expect((body["amount"] as? [String: Any])?["value"] as? Int == 1234)
            #expect((body["amount"] as? [String: Any])?["currency"] as? String == "EUR")
            #expect(body["reference"] as? String == "TOPUP0001")
            #expect(body["merchantAccount"] as? String == Self.merchantAccount)
            #expect(body["shopperReference"] as? String == customer.id)
            #expect(body["shopperInteraction"] as? String == "ContAuth")
            #expect(body["recurringProcessingModel"] as? String == "UnscheduledCardOnFile")
            #expect((body["returnUrl"] as? String)?.hasPrefix("https://") == true)
            let paymentMethod = try #require(body["paymentMethod"] as? [String: Any])
            #expect(paymentMethod["type"] as? String == "scheme")
            #expect(method.ref.id.hasSuffix(":" + (paymentMethod["storedPaymentMethodId"] as? String ?? "?")))

            // No payment GET in Checkout: the lookup is refused without a request, and the capabilities say so.
            let before = try await h.fake.requests().count
            let error = await #expect(throws: GatewayError.self) { try await h.gateway.paymentStatus(outcome.ref) }
            guard case .unsupported? = error else {
                Issue.record("expected .unsupported, got \(String(describing: error))")
                return
            }
            #expect(!h.gateway.capabilities.contains(.paymentStatusLookup))
            #expect(!h.gateway.capabilities.contains(.synchronousRefund))
            #expect(try await h.fake.requests().count == before)
            try await h.expectCleanRequests()
        }
    }

    @Test func refusalIsA200ThatBecomesADecline() async throws {
        try await Self.withAdyen { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.cardToken())
            try await h.fake.inject(.decline(match: "POST /v71/payments"))
            let error = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, micros: 5_000_000, currency: .eur), key: IdempotencyKey(ledgerKey: "d", operation: "charge"))
            }
            guard case .declined(let decline)? = error else {
                Issue.record("expected a decline, got \(String(describing: error))")
                return
            }
            #expect(decline == GatewayError.Decline(code: "2", message: "Refused"))
            let answered = try #require(try await h.fake.requests().last { $0.path == "/v71/payments" })
            #expect(answered.problems.isEmpty)

            let payments = try #require(try await h.fake.state()["payments"] as? [[String: Any]])
            #expect(payments.count == 1)
            #expect(payments.allSatisfy { $0["resultCode"] as? String == "Refused" })
            // The AUTHORISATION notification reports the refusal too.
            let events = try await h.verifiedEvents()
            #expect(events.count == 1)
            #expect(events.first?.kind == .paymentFailed(GatewayError.Decline(code: nil, message: "Refused")))
            #expect(events.first?.reference == "TOPUP0001")
            try await h.expectCleanRequests()
        }
    }

    @Test func serviceErrorIsTransientAndRateLimitCarriesRetryAfter() async throws {
        try await Self.withAdyen { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.cardToken())
            try await h.fake.inject(.status(503, match: "POST /v71/payments"))
            let unavailable = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, micros: 1_000_000, currency: .eur), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            guard case .transient? = unavailable else {
                Issue.record("expected .transient, got \(String(describing: unavailable))")
                return
            }
            try await h.fake.inject(.rateLimit(retryAfterSeconds: 7, match: "POST /v71/payments"))
            await #expect(throws: GatewayError.rateLimited(retryAfter: .seconds(7))) {
                try await h.gateway.charge(h.chargeRequest(customer, method, micros: 1_000_000, currency: .eur), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            #expect((try await h.fake.state()["payments"] as? [[String: Any]])?.isEmpty == true)
            try await h.expectCleanRequests()
        }
    }

    @Test func lostResponseRetriedWithTheSameKeyChargesOnce() async throws {
        try await Self.withAdyen { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.cardToken())
            let key = IdempotencyKey(ledgerKey: "lost", operation: "charge")
            let request = h.chargeRequest(customer, method, micros: 25_000_000, currency: .eur)
            try await h.fake.inject(.dropAfterSuccess(match: "POST /v71/payments"))
            let lost = await #expect(throws: GatewayError.self) { try await h.gateway.charge(request, key: key) }
            #expect(lost?.isRetryable == true)

            let retried = try await h.gateway.charge(request, key: key)
            #expect(retried.state == .succeeded)
            let payments = try #require(try await h.fake.state()["payments"] as? [[String: Any]])
            #expect(payments.count == 1)
            #expect(payments.first?["pspReference"] as? String == retried.ref.id)
            let sentKeys = try await h.fake.requests().filter { $0.path == "/v71/payments" }.map { $0.headers["idempotency-key"] }
            #expect(sentKeys == [key.raw, key.raw])
            #expect(try await h.fake.events().filter { $0.id.hasSuffix(":AUTHORISATION") }.count == 1)

            // Adyen replays the first answer for a reused key whatever the body; the adapter notices the mismatch.
            await #expect(throws: GatewayError.idempotencyConflict) {
                try await h.gateway.charge(h.chargeRequest(customer, method, micros: 26_000_000, currency: .eur), key: key)
            }
            #expect((try await h.fake.state()["payments"] as? [[String: Any]])?.count == 1)
            try await h.expectCleanRequests()
        }
    }

    @Test func refundsArePendingAndTheWebhookDecidesIncludingOverRefunds() async throws {
        try await Self.withAdyen { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.cardToken())
            let payment = try await h.gateway.charge(h.chargeRequest(customer, method, micros: 10_000_000, currency: .eur), key: IdempotencyKey(ledgerKey: "r", operation: "charge"))
            let partial = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Money(micros: 4_000_000, currency: .eur), reason: "unused", reference: "REFUND01"),
                key: IdempotencyKey(ledgerKey: "r1", operation: "refund"))
            #expect(partial.state == .pending)
            #expect(partial.amount == Money(micros: 4_000_000, currency: .eur))
            let sent = try #require(try await h.fake.requests().last { $0.path.hasSuffix("/refunds") })
            #expect(sent.path == "/v71/payments/\(payment.ref.id)/refunds")
            #expect((try sent.jsonBody()["amount"] as? [String: Any])?["value"] as? Int == 400)

            let beyond = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Money(micros: 7_000_000, currency: .eur), reason: "too much", reference: "REFUND02"),
                key: IdempotencyKey(ledgerKey: "r2", operation: "refund"))
            #expect(beyond.state == .pending)

            let refunds = try await h.verifiedEvents().filter { $0.type == "REFUND" }
            #expect(refunds.count == 2)
            let first = try #require(refunds.first { $0.refundID == partial.id })
            #expect(first.kind == .refundSucceeded)
            #expect(first.payment == payment.ref)
            #expect(first.reference == "REFUND01")
            #expect(first.amount == Money(micros: 4_000_000, currency: .eur))
            let refused = try #require(refunds.first { $0.refundID == beyond.id })
            guard case .refundFailed(let reason) = refused.kind else {
                Issue.record("expected a failed refund, got \(refused.kind)")
                return
            }
            #expect(!reason.isEmpty)
            #expect(refused.reference == "REFUND02")
            let stored = try #require((try await h.fake.state()["payments"] as? [[String: Any]])?.first)
            #expect(stored["refunded"] as? Int == 400)
            try await h.expectCleanRequests()
        }
    }

    @Test func webhooksFromTheFakeVerifyAndMap() async throws {
        try await Self.withAdyen { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.cardToken())
            let payment = try await h.gateway.charge(
                h.chargeRequest(customer, method, micros: 8_000_000, currency: .eur, reference: "TOPUP0042"), key: IdempotencyKey(ledgerKey: "w", operation: "charge"))
            let events = try await h.verifiedEvents()
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.eventID == "\(payment.ref.id):AUTHORISATION")
            #expect(event.kind == .paymentSucceeded)
            #expect(event.payment == payment.ref)
            #expect(event.reference == "TOPUP0042")
            #expect(event.amount == Money(micros: 8_000_000, currency: .eur))
            #expect(event.occurredAt != nil)

            let delivered = try #require(try await h.fake.events().first)
            let verifier = try h.webhookVerifier()
            let tampered = delivered.body.replacingOccurrences(of: "\"value\": 800", with: "\"value\": 900")
            #expect(tampered != delivered.body)
            await #expect(throws: WebhookVerificationError.self) { try await verifier.verify(headers: [:], body: Array(tampered.utf8)) }
            let otherKey = try AdyenGateway.webhookVerifier(
                settings: GatewaySettings(baseURL: h.fake.baseURL, credentials: ["hmac_key": String(repeating: "AB", count: 32)]), transport: h.transport)
            await #expect(throws: WebhookVerificationError.self) { try await otherKey.verify(headers: [:], body: Array(delivered.body.utf8)) }
            try await h.expectCleanRequests()
        }
    }

    @Test func secretsNeverAppearInErrorsOrDescriptions() async throws {
        try await Self.withAdyen { h in
            let wrongKey = try h.reconfigured(credentials: ["api_key": "AQEwrong-key-value", "merchant_account": Self.merchantAccount]).gateway
            let auth = await #expect(throws: GatewayError.authentication) {
                try await wrongKey.paymentMethod(StoredMethodRef(id: "shopper:M1"))
            }
            let wrongAccount = try h.reconfigured(credentials: ["api_key": Self.apiKey, "merchant_account": "SomeoneElse"]).gateway
            let denied = await #expect(throws: GatewayError.permissionDenied) {
                try await wrongAccount.paymentMethod(StoredMethodRef(id: "shopper:M1"))
            }
            var texts = [String(describing: auth), String(describing: denied), String(describing: h.gateway), String(reflecting: wrongKey)]
            var dumped = ""
            dump(h.gateway, to: &dumped)
            texts.append(dumped)
            let badHMAC = #expect(throws: GatewayError.self) {
                try AdyenGateway.webhookVerifier(
                    settings: GatewaySettings(baseURL: "", credentials: ["hmac_key": "not-hex-\(Self.hmacKey)"]), transport: h.transport)
            }
            texts.append(String(describing: badHMAC))
            for fault in [FakeVendorServer.Fault.status(500, match: nil), .rateLimit(retryAfterSeconds: 3, match: nil)] {
                try await h.fake.inject(fault)
                do {
                    _ = try await h.gateway.paymentMethod(StoredMethodRef(id: "shopper:M1"))
                } catch {
                    texts.append(String(describing: error))
                }
            }
            #expect(texts.count == 8)
            for text in texts {
                for secret in [Self.apiKey, Self.hmacKey, "AQEwrong-key-value"] {
                    #expect(!text.contains(secret), "\(text)")
                }
            }
            let refused = try await h.refusedRequests()
            #expect(refused.count == 2)  // exactly the wrong key and the wrong merchant account
        }
    }
}
