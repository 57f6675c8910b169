import AsyncHTTPClient
import Foundation
import GatewayFakes
import NIOCore
import NIOHTTP1
import Testing
import TollgateCore

@testable import TollgateGateways

/// StripeGateway against the Stripe fake, which validates every request against specs/stripe/spec3.yaml.
@Suite struct StripeGatewayTests {
    static let secretKey = "sk_test_51TollgateSecretKeyForTests"
    static let webhookSecret = "whsec_tollgateStripeEndpointSecret"

    static let card = "pm_card_visa"

    /// One fake per test; afterwards every request the fake saw must have been one Stripe accepts.
    func withStripe(
        secretKey: String = secretKey, expectClean: Bool = true, _ body: (GatewayHarness<StripeGateway>) async throws -> Void
    ) async throws {
        try await GatewayHarness<StripeGateway>.run(
            vendor: "stripe", options: ["secret_key": Self.secretKey, "webhook_secret": Self.webhookSecret],
            credentials: ["secret_key": secretKey, "webhook_secret": Self.webhookSecret]
        ) { h in
            try await body(h)
            guard expectClean else { return }
            try await h.expectCleanRequests { request in
                #expect(request.headers["stripe-version"] == "2023-08-16")
                if request.method == "POST" { #expect(request.headers["idempotency-key"]?.count == 26) }
            }
        }
    }

    @Test func createsACustomerAttachesACardAndReadsItBack() async throws {
        try await withStripe { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            #expect(customer.id.hasPrefix("cus_"))
            #expect(method.ref.id.hasPrefix("pm_") && method.ref.id != "pm_card_visa")
            #expect(method.status == .active)
            #expect(method.display == "visa •••• 4242")
            #expect(method.expires?.month == 12 && (method.expires?.year ?? 0) > 2025)
            #expect(try await h.gateway.paymentMethod(method.ref) == method)

            let customers = try await h.state("customers")
            #expect(customers.count == 1)
            #expect((customers[0]["metadata"] as? [String: String])?["tollgate_crawler_account"]?.count == 36)
            #expect(customers[0]["email"] as? String == "ops@crawler.example")
            let recorded = try await h.fake.requests()
            #expect(recorded[1].path == "/v1/payment_methods/pm_card_visa/attach")
            #expect(recorded[1].body == "customer=\(customer.id)")

            let missing = await #expect(throws: GatewayError.self) { try await h.gateway.paymentMethod(StoredMethodRef(id: "pm_nope")) }
            #expect(missing == .notFound)
        }
    }

    @Test func chargesTheExactWireAmountOffSessionWithTheReference() async throws {
        try await withStripe { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let key = IdempotencyKey(ledgerKey: "topup-1", operation: "charge")
            let outcome = try await h.charge(customer, method, micros: 12_340_000, reference: "TOPUP12345", key: key)
            #expect(outcome.state == .succeeded)
            #expect(outcome.amount == Money(micros: 12_340_000, currency: .usd))
            #expect(outcome.ref.id.hasPrefix("pi_"))

            let yen = try await h.charge(customer, method, micros: 500_000_000, currency: .jpy, reference: "TOPUPJPY")
            #expect(yen.amount == Money(micros: 500_000_000, currency: .jpy))

            let charges = try await h.fake.requests().filter { $0.path == "/v1/payment_intents" }
            #expect(charges.count == 2)
            #expect(charges[0].headers["idempotency-key"] == key.raw)
            #expect(charges[0].headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(charges[0].headers["authorization"] == "Bearer \(Self.secretKey)")
            #expect(charges[0].body == "amount=1234&currency=usd&customer=\(customer.id)&payment_method=\(method.ref.id)"
                + "&confirm=true&off_session=true&description=Tollgate%20prepaid%20top-up&metadata[tollgate_reference]=TOPUP12345")
            #expect(charges[1].body.hasPrefix("amount=500&currency=jpy&"))

            let intents = try await h.state("payment_intents")
            #expect(intents.map { $0["amount_received"] as? Int } == [1234, 500])

            // Sub-cent amounts never reach Stripe.
            let odd = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 10_001) }
            guard case .invalidAmount = odd else { Issue.record("expected invalidAmount, got \(String(describing: odd))"); return }
            let tooSmall = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 100_000) }
            #expect(tooSmall == .invalidRequest(code: "amount_too_small", message: "Amount must be at least 50 usd", field: "amount"))
            #expect(try await h.fake.requests().count == 5)
        }
    }

    @Test func aDeclineThrowsDeclinedAndCapturesNothing() async throws {
        try await withStripe { h in
            let (customer, poor) = try await h.customerAndMethod(token: "pm_card_chargeDeclinedInsufficientFunds")
            let declined = await #expect(throws: GatewayError.self) { try await h.charge(customer, poor, micros: 20_000_000) }
            #expect(declined == .declined(.init(code: "insufficient_funds", message: "Your card has insufficient funds.")))

            let (_, visa) = try await h.customerAndMethod(token: Self.card)
            let other = try await h.state("customers")[1]["id"] as! String
            try await h.fake.inject(.decline(match: "POST /v1/payment_intents"))
            let faulted = await #expect(throws: GatewayError.self) {
                try await h.charge(CustomerRef(id: other), visa, micros: 20_000_000)
            }
            #expect(faulted == .declined(.init(code: "generic_decline", message: "Your card was declined.")))

            let intents = try await h.state("payment_intents")
            #expect(intents.count == 2)
            for intent in intents {
                #expect(intent["status"] as? String == "requires_payment_method")
                #expect(intent["amount_received"] as? Int == 0)
            }
        }
    }

    @Test func serverErrorsAreTransientAndRateLimitsCarryRetryAfter() async throws {
        try await withStripe { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            try await h.fake.inject(.status(503, match: "POST /v1/payment_intents"))
            let unavailable = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 5_000_000) }
            #expect(unavailable == .transient("HTTP 503: injected failure"))
            #expect(unavailable?.isRetryable == true)

            try await h.fake.inject(.rateLimit(retryAfterSeconds: 7, match: "GET /v1/payment_methods"))
            let limited = await #expect(throws: GatewayError.self) { try await h.gateway.paymentMethod(method.ref) }
            #expect(limited == .rateLimited(retryAfter: .seconds(7)))
            #expect(try await h.state("payment_intents").isEmpty)
        }
    }

    @Test func aLostAnswerIsRetriedWithTheSameKeyWithoutASecondCharge() async throws {
        try await withStripe { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let key = IdempotencyKey(ledgerKey: "topup-lost", operation: "charge")
            try await h.fake.inject(.dropAfterSuccess(match: "POST /v1/payment_intents"))
            let lost = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 15_000_000, key: key) }
            #expect(lost?.isRetryable == true)

            let retried = try await h.charge(customer, method, micros: 15_000_000, key: key)
            #expect(retried.state == .succeeded)
            let intents = try await h.state("payment_intents")
            #expect(intents.count == 1)
            #expect(intents.first?["id"] as? String == retried.ref.id)
            #expect(try await h.gateway.paymentStatus(retried.ref) == retried)

            // The same key with different parameters is Stripe's idempotency_error.
            let conflict = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 16_000_000, key: key) }
            #expect(conflict == .idempotencyConflict)
            #expect(try await h.state("payment_intents").count == 1)
        }
    }

    @Test func refundsPartiallyAndRefusesMoreThanWasPaid() async throws {
        try await withStripe { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let payment = try await h.charge(customer, method, micros: 10_000_000)
            func refund(_ micros: Int64, _ reference: String) async throws(GatewayError) -> RefundOutcome {
                try await h.gateway.refund(
                    RefundRequest(payment: payment.ref, amount: Money(micros: micros, currency: .usd), reason: "crawler asked", reference: reference),
                    key: IdempotencyKey(ledgerKey: reference, operation: "refund"))
            }
            let first = try await refund(4_000_000, "REFUND1")
            #expect(first.state == .succeeded && first.amount == Money(micros: 4_000_000, currency: .usd) && first.id.hasPrefix("re_"))
            let tooMuch = await #expect(throws: GatewayError.self) { try await refund(6_010_000, "REFUND2") }
            guard case .invalidRequest(let code, _, let field) = tooMuch else { Issue.record("got \(String(describing: tooMuch))"); return }
            #expect(code == "amount_too_large" && field == "amount")
            let rest = try await refund(6_000_000, "REFUND3")
            #expect(rest.state == .succeeded)
            let again = await #expect(throws: GatewayError.self) { try await refund(10_000, "REFUND4") }
            guard case .invalidRequest(code: "charge_already_refunded", _, _) = again else { Issue.record("got \(String(describing: again))"); return }

            let refunds = try await h.state("refunds")
            #expect(refunds.map { $0["amount"] as? Int } == [400, 600])
            #expect((refunds[0]["metadata"] as? [String: String]) == ["tollgate_reference": "REFUND1", "tollgate_reason": "crawler asked"])
        }
    }

    @Test func looksUpPaymentStatus() async throws {
        try await withStripe { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let paid = try await h.charge(customer, method, micros: 3_000_000)
            let looked = try await h.gateway.paymentStatus(paid.ref)
            #expect(looked.state == .succeeded && looked.amount == Money(micros: 3_000_000, currency: .usd))

            let (poorCustomer, poor) = try await h.customerAndMethod(token: "pm_card_chargeDeclined")
            _ = await #expect(throws: GatewayError.self) { try await h.charge(poorCustomer, poor, micros: 3_000_000) }
            let failedID = try await h.state("payment_intents").last?["id"] as! String
            let failed = try await h.gateway.paymentStatus(PaymentRef(id: failedID))
            #expect(failed.state == .declined(.init(code: "generic_decline", message: "Your card was declined.")))

            let unknown = await #expect(throws: GatewayError.self) { try await h.gateway.paymentStatus(PaymentRef(id: "pi_unknown")) }
            #expect(unknown == .notFound)
        }
    }

    @Test func readsTheCustomerBalanceAsCredit() async throws {
        try await withStripe { h in
            let (customer, _) = try await h.customerAndMethod(token: Self.card)
            #expect(try await h.gateway.balance(of: customer) == .zero(.usd))
            // Credit is a negative Stripe balance; grant some the way the Stripe dashboard would.
            var request = HTTPClientRequest(url: h.fake.baseURL + "/v1/customers/\(customer.id)/balance_transactions")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(Self.secretKey)")
            request.headers.add(name: "Stripe-Version", value: "2023-08-16")
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.headers.add(name: "Idempotency-Key", value: IdempotencyKey(ledgerKey: "grant", operation: "credit").raw)
            request.body = .bytes(ByteBuffer(string: "amount=-2550&currency=eur"))
            let response = try await h.client.execute(request, timeout: .seconds(5))
            #expect(response.status == .ok)
            #expect(try await h.gateway.balance(of: customer) == Money(micros: 25_500_000, currency: .eur))
            #expect(h.gateway.capabilities.contains(.customerBalance))
        }
    }

    @Test func webhooksFromTheFakeVerifyAndMapToEvents() async throws {
        try await withStripe { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let paid = try await h.charge(customer, method, micros: 7_500_000, reference: "TOPUPHOOK")
            _ = try await h.gateway.refund(
                RefundRequest(payment: paid.ref, amount: Money(micros: 2_500_000, currency: .usd), reason: "goodwill", reference: "REFUNDHOOK"),
                key: IdempotencyKey(ledgerKey: "refund-hook", operation: "refund"))
            let (poorCustomer, poor) = try await h.customerAndMethod(token: "pm_card_chargeDeclined")
            _ = await #expect(throws: GatewayError.self) { try await h.charge(poorCustomer, poor, micros: 1_000_000, reference: "TOPUPFAIL") }

            let mapped = try await h.verifiedEvents()
            #expect(mapped.map(\.type) == ["payment_intent.succeeded", "refund.created", "charge.refunded", "payment_intent.payment_failed"])

            let success = mapped[0]
            #expect(success.kind == .paymentSucceeded && success.payment == paid.ref && success.reference == "TOPUPHOOK")
            #expect(success.amount == Money(micros: 7_500_000, currency: .usd) && success.eventID.hasPrefix("evt_"))
            #expect(success.occurredAt != nil)

            let refund = mapped[1]
            #expect(refund.kind == .refundSucceeded && refund.payment == paid.ref && refund.reference == "REFUNDHOOK")
            #expect(refund.amount == Money(micros: 2_500_000, currency: .usd) && refund.refundID?.hasPrefix("re_") == true)
            #expect(mapped[2].kind == .other && mapped[2].payment == paid.ref)

            let failure = mapped[3]
            #expect(failure.kind == .paymentFailed(.init(code: "generic_decline", message: "Your card was declined.")))
            #expect(failure.reference == "TOPUPFAIL")

            // A tampered body does not verify.
            let first = try await h.fake.events()[0]
            let verifier = try h.webhookVerifier()
            await #expect(throws: WebhookVerificationError.self) {
                try await verifier.verify(
                    headers: first.webhookHeaders, body: Array(first.body.replacingOccurrences(of: "750", with: "990").utf8))
            }
        }
    }

    @Test func credentialsNeverAppearInErrors() async throws {
        let wrong = "sk_test_WrongKeyThatMustNotLeak9876"
        try await withStripe(secretKey: wrong, expectClean: false) { h in
            let error = await #expect(throws: GatewayError.self) { try await h.gateway.paymentStatus(PaymentRef(id: "pi_x")) }
            #expect(error == .authentication)
            let text = error.map(\.description) ?? ""
            #expect(!text.contains(wrong) && !text.contains("9876"))
        }
        // Stripe echoes part of a wrong key in its message; that never survives the mapping.
        let echoed = GatewayHTTPResponse(status: 400, headers: [:], body: Array(
            #"{"error":{"type":"invalid_request_error","message":"Invalid key sk_test_Wron****9876 or \#(wrong)"}}"#.utf8))
        let mapped = StripeErrors.map(echoed, secret: wrong)
        #expect(!mapped.description.contains("9876") && !mapped.description.contains(wrong))

        let noSecret = GatewaySettings(baseURL: "http://127.0.0.1:1", credentials: ["secret_key": "pk_test_publishable"])
        let badKey = #expect(throws: GatewayError.self) { try StripeGateway(settings: noSecret, transport: GatewayTransport(client: .shared)) }
        let badKeyText = badKey.map(\.description) ?? ""
        #expect(!badKeyText.isEmpty && !badKeyText.contains("pk_test_publishable"))
        let badHook = #expect(throws: GatewayError.self) {
            try StripeGateway.webhookVerifier(
                settings: GatewaySettings(baseURL: "", credentials: ["webhook_secret": "not-a-whsec-secret"]), transport: GatewayTransport(client: .shared))
        }
        guard case .invalidRequest(_, _, field: "credentials.webhook_secret") = badHook else { Issue.record("got \(String(describing: badHook))"); return }
        let badHookText = badHook.map(\.description) ?? ""
        #expect(!badHookText.contains("not-a-whsec-secret"))
        #expect(StripeGateway.credentialFields.map(\.name) == ["secret_key", "webhook_secret"])
    }
}
