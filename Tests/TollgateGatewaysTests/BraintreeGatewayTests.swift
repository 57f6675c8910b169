import Foundation
import GatewayFakes
import NIOCore
import Testing
import TollgateCore

@testable import TollgateGateways

/// BraintreeGateway against the Braintree fake, which parses every GraphQL document and checks the documented wire
/// rules (auth, Braintree-Version, input fields and types, Amount format, selected fields).
@Suite(.serialized) struct BraintreeGatewayTests {
    static let publicKey = "bt-public-key-4f9e"
    static let privateKey = "bt-private-key-never-shown-0c1d"
    static let merchantID = "merchant-7q2w"

    static func withBraintree(
        privateKey: String = privateKey, _ body: (GatewayHarness<BraintreeGateway>) async throws -> Void
    ) async throws {
        try await GatewayHarness<BraintreeGateway>.run(
            vendor: "braintree", options: ["public_key": publicKey, "private_key": Self.privateKey, "merchant_id": merchantID],
            credentials: ["public_key": publicKey, "private_key": privateKey, "merchant_id": merchantID], body)
    }

    /// A customer with a Visa card vaulted from Braintree's documented sandbox nonce.
    static func vaultedCard(_ h: GatewayHarness<BraintreeGateway>) async throws -> (CustomerRef, StoredMethod) {
        try await h.customerAndMethod(token: "fake-valid-visa-nonce")
    }

    static func usd(_ text: String) -> Money { try! WireAmount.money(decimalString: text, currency: .usd) }

    static func graphQLInput(_ request: FakeVendorServer.RecordedRequest) throws -> [String: Any] {
        try #require((try request.jsonBody()["variables"] as? [String: Any])?["input"] as? [String: Any])
    }

    static func requests(_ fake: FakeVendorServer, containing operation: String) async throws -> [FakeVendorServer.RecordedRequest] {
        try await fake.requests().filter { $0.body.contains(operation) }
    }

    /// Every request pins the API version (for `expectCleanRequests`).
    static func pinsTheVersion(_ request: FakeVendorServer.RecordedRequest) {
        #expect(request.headers["braintree-version"] == BraintreeGateway.version)
    }

    static func transactions(_ fake: FakeVendorServer) async throws -> [[String: Any]] {
        try #require(try await fake.state()["transactions"] as? [[String: Any]])
    }

    // MARK: tests

    @Test func customerVaultAndLookup() async throws {
        try await Self.withBraintree { h in
            let (customer, method) = try await Self.vaultedCard(h)
            #expect(!customer.id.isEmpty)
            #expect(method.display == "visa •••• 1111" && method.status == .active)
            #expect(method.expires == DateComponents(year: 2030, month: 12))
            #expect(try await h.gateway.paymentMethod(method.ref) == method)
            let vault = try #require(try await Self.requests(h.fake, containing: "vaultPaymentMethod").first)
            let input = try Self.graphQLInput(vault)
            #expect(input["customerId"] as? String == customer.id && input["paymentMethodId"] as? String == "fake-valid-visa-nonce")

            let unknown = Data("paymentmethod_cc_nothere".utf8).base64EncodedString()
            await #expect(throws: GatewayError.notFound) { try await h.gateway.paymentMethod(StoredMethodRef(id: unknown)) }
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }

    @Test func chargeSendsTheExactAmountStringAndReference() async throws {
        try await Self.withBraintree { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let key = IdempotencyKey(ledgerKey: "topup", operation: "charge")
            let outcome = try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("12.34"), reference: "TOPUP00000000000001"), key: key)
            #expect(outcome.state == .succeeded && outcome.amount == Self.usd("12.34"))
            let recorded = try #require(try await Self.requests(h.fake, containing: "chargePaymentMethod").first)
            let input = try Self.graphQLInput(recorded)
            let transaction = try #require(input["transaction"] as? [String: Any])
            #expect(transaction["amount"] as? String == "12.34")
            #expect(transaction["orderId"] as? String == "TOPUP00000000000001")
            #expect(input["apiRequestKey"] as? String == key.raw)

            // node(id) status lookup: settled by now, still a succeeded payment.
            #expect(try await h.gateway.paymentStatus(outcome.ref) == PaymentOutcome(ref: outcome.ref, state: .succeeded, amount: Self.usd("12.34")))
            #expect(try await Self.transactions(h.fake).first?["status"] as? String == "SETTLED")
            // Sub-cent amounts never reach the wire.
            await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Money(micros: 1_234_567, currency: .usd)), key: IdempotencyKey(ledgerKey: "x", operation: "charge"))
            }
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }

    @Test func declinesCaptureNothing() async throws {
        try await Self.withBraintree { h in
            let (customer, method) = try await Self.vaultedCard(h)
            // The sandbox's processor-declined amount range (2000.00–2999.99 answers that response code).
            await #expect(throws: GatewayError.declined(.init(code: "2046", message: "Processor Declined"))) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("2046.00")), key: IdempotencyKey(ledgerKey: "d1", operation: "charge"))
            }
            try await h.fake.inject(.decline(match: "POST /graphql"))
            await #expect(throws: GatewayError.declined(.init(code: "2000", message: "Do Not Honor"))) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "d2", operation: "charge"))
            }
            let transactions = try await Self.transactions(h.fake)
            #expect(transactions.count == 2)
            #expect(transactions.allSatisfy { $0["status"] as? String == "PROCESSOR_DECLINED" })
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }

    @Test func serverErrorsAreTransientAndRateLimitsCarryRetryAfter() async throws {
        try await Self.withBraintree { h in
            let (customer, method) = try await Self.vaultedCard(h)
            try await h.fake.inject(.status(503, match: "POST /graphql"))
            let error = await #expect(throws: GatewayError.self) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            if case .transient = error {} else { Issue.record("503 gave \(String(describing: error))") }
            try await h.fake.inject(.rateLimit(retryAfterSeconds: 11, match: "POST /graphql"))
            await #expect(throws: GatewayError.rateLimited(retryAfter: .seconds(11))) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            #expect(try await Self.transactions(h.fake).isEmpty)
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }

    @Test func lostResponseRetriedWithTheSameKeyChargesOnce() async throws {
        try await Self.withBraintree { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let request = h.chargeRequest(customer, method, Self.usd("20.00"), reference: "TOPUPLOST")
            let key = IdempotencyKey(ledgerKey: "lost", operation: "charge")
            try await h.fake.inject(.dropAfterSuccess(match: "POST /graphql"))
            let lost = await #expect(throws: GatewayError.self) { try await h.gateway.charge(request, key: key) }
            #expect(lost?.isRetryable == true)
            let retried = try await h.gateway.charge(request, key: key)
            #expect(retried.state == .succeeded)
            let transactions = try await Self.transactions(h.fake)
            #expect(transactions.count == 1 && transactions.first?["id"] as? String == retried.ref.id)

            // The same apiRequestKey with another amount is Braintree's idempotency validation error.
            await #expect(throws: GatewayError.idempotencyConflict) {
                try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("21.00"), reference: "TOPUPLOST"), key: key)
            }
            #expect(try await Self.transactions(h.fake).count == 1)
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }

    @Test func partialRefundAndOverRefundRefused() async throws {
        try await Self.withBraintree { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let payment = try await h.gateway.charge(h.chargeRequest(customer, method, Self.usd("10.00")), key: IdempotencyKey(ledgerKey: "r", operation: "charge"))
            let refund = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Self.usd("4.00"), reason: "unused", reference: "REFUND1"),
                key: IdempotencyKey(ledgerKey: "r1", operation: "refund"))
            #expect(refund.state == .succeeded && refund.amount == Self.usd("4.00"))
            let recorded = try #require(try await Self.requests(h.fake, containing: "refundTransaction").first)
            #expect((try Self.graphQLInput(recorded)["refund"] as? [String: Any])?["amount"] as? String == "4.00")

            let error = await #expect(throws: GatewayError.self) {
                try await h.gateway.refund(
                    RefundRequest(payment: payment.ref, amount: Self.usd("6.01"), reason: "too much", reference: "REFUND2"),
                    key: IdempotencyKey(ledgerKey: "r2", operation: "refund"))
            }
            guard case .invalidRequest(let code, _, let field) = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(code == "91521" && field == "input.refund.amount")
            let sale = try #require(try await Self.transactions(h.fake).first { $0["id"] as? String == payment.ref.id })
            #expect(sale["refunded_units"] as? Int == 400)
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }

    @Test func webhooksVerifyAndMapToEvents() async throws {
        try await Self.withBraintree { h in
            let (customer, method) = try await Self.vaultedCard(h)
            let payment = try await h.gateway.charge(
                h.chargeRequest(customer, method, Self.usd("9.99"), reference: "TOPUPHOOK"), key: IdempotencyKey(ledgerKey: "w", operation: "charge"))
            let refund = try await h.gateway.refund(
                RefundRequest(payment: payment.ref, amount: Self.usd("1.50"), reason: "partial", reference: "REFUNDHOOK"),
                key: IdempotencyKey(ledgerKey: "w1", operation: "refund"))
            _ = try await h.gateway.paymentStatus(payment.ref)  // the fake settles the refund before this request

            let verifier = try h.webhookVerifier()
            var mapped: [GatewayEvent] = []
            for event in try await h.fake.events() {
                let body = Array(event.body.utf8)
                let delivery = try await verifier.verify(headers: WebhookHeaders(), body: body)
                #expect(delivery.eventID == event.id)
                mapped += try h.gateway.events(in: delivery, body: body)
            }
            #expect(mapped.count == 2)
            #expect(mapped.first?.kind == .paymentSucceeded && mapped.first?.payment == payment.ref)
            #expect(mapped.first?.reference == "TOPUPHOOK" && mapped.first?.amount == Self.usd("9.99"))
            #expect(mapped.last?.kind == .refundSucceeded && mapped.last?.payment == payment.ref && mapped.last?.refundID == refund.id)
            #expect(mapped.last?.reference == "REFUNDHOOK" && mapped.last?.amount == Self.usd("1.50"))

            // Signed with another private key, the same delivery is refused.
            let stranger = try BraintreeGateway.webhookVerifier(
                settings: GatewaySettings(baseURL: h.fake.baseURL, credentials: ["public_key": Self.publicKey, "private_key": "another"]),
                transport: h.transport)
            let first = try #require(try await h.fake.events().first)
            await #expect(throws: WebhookVerificationError.self) { try await stranger.verify(headers: WebhookHeaders(), body: Array(first.body.utf8)) }
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }

    @Test func wrongKeyIsAnAuthenticationErrorThatNeverShowsTheKey() async throws {
        try await Self.withBraintree(privateKey: "bt-wrong-private-key-55") { h in
            let error = await #expect(throws: GatewayError.authentication) {
                try await h.gateway.createCustomer(
                    CreateCustomer(ownerID: UUID(), email: "a@b.example", name: "A"), key: IdempotencyKey(ledgerKey: "a", operation: "c"))
            }
            for text in [String(describing: error), String(describing: h.gateway), String(reflecting: h.gateway)] {
                #expect(!text.contains("bt-wrong-private-key-55") && !text.contains(Self.privateKey) && !text.contains(Self.publicKey))
            }
            let problems = try await h.fake.requests().flatMap(\.problems)
            #expect(problems == ["Authorization is not Basic public_key:private_key"])
        }
    }

    @Test func currencyNeedsAMerchantAccountAndCapabilitiesAgree() async throws {
        try await Self.withBraintree { h in
            let configured = try h.reconfigured(credentials: h.settings.credentials.merging(["merchant_accounts": "USD=default"]) { $1 })
            let gateway = configured.gateway
            let (customer, method) = try await Self.vaultedCard(configured)
            await #expect(throws: GatewayError.unsupported("no Braintree merchant account is configured for EUR")) {
                try await gateway.charge(
                    h.chargeRequest(customer, method, Money(micros: 5_000_000, currency: .eur)), key: IdempotencyKey(ledgerKey: "e", operation: "charge"))
            }
            let outcome = try await gateway.charge(h.chargeRequest(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "u", operation: "charge"))
            #expect(outcome.state == .succeeded)
            let recorded = try #require(try await Self.requests(h.fake, containing: "chargePaymentMethod").last)
            #expect((try Self.graphQLInput(recorded)["transaction"] as? [String: Any])?["merchantAccountId"] as? String == "default")
            await #expect(throws: GatewayError.self) { try await gateway.balance(of: customer) }
            #expect(gateway.capabilities == GatewayCapabilities.of(.braintree))
            #expect(throws: GatewayError.self) {
                try BraintreeGateway(
                    settings: GatewaySettings(baseURL: h.fake.baseURL, credentials: h.settings.credentials.merging(["merchant_accounts": "dollars"]) { $1 }),
                    transport: h.transport)
            }
            try await h.expectCleanRequests(Self.pinsTheVersion)
        }
    }
}
