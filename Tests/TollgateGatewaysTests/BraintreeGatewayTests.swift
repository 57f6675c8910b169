import AsyncHTTPClient
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
        privateKey: String = privateKey, _ body: (FakeVendorServer, BraintreeGateway, GatewaySettings) async throws -> Void
    ) async throws {
        let fake = try await FakeVendorServer.start(
            "braintree", options: ["public_key": publicKey, "private_key": Self.privateKey, "merchant_id": merchantID])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let settings = GatewaySettings(
            baseURL: fake.baseURL, credentials: ["public_key": publicKey, "private_key": privateKey, "merchant_id": merchantID])
        do {
            let gateway = try BraintreeGateway(settings: settings, transport: GatewayTransport(client: client, timeout: .seconds(2)))
            try await body(fake, gateway, settings)
        } catch {
            try? await client.shutdown()
            fake.stop()
            throw error
        }
        try await client.shutdown()
        fake.stop()
    }

    static func vaultedCard(_ gateway: BraintreeGateway) async throws -> (CustomerRef, StoredMethod) {
        let customer = try await gateway.createCustomer(
            CreateCustomer(crawlerAccountID: UUID(), email: "ops@crawler.example", name: "Example Crawler"),
            key: IdempotencyKey(ledgerKey: UUID().uuidString, operation: "customer"))
        // Braintree's documented sandbox nonce for a Visa card.
        let method = try await gateway.attachPaymentMethod(
            AttachPaymentMethod(customer: customer, token: "fake-valid-visa-nonce"), key: IdempotencyKey(ledgerKey: "m", operation: "attach"))
        return (customer, method)
    }

    static func usd(_ text: String) -> Money { try! WireAmount.money(decimalString: text, currency: .usd) }

    static func charge(_ customer: CustomerRef, _ method: StoredMethod, _ amount: Money, reference: String = "TOPUP0001") -> ChargeRequest {
        ChargeRequest(customer: customer, method: method.ref, amount: amount, description: "Tollgate prepaid top-up", reference: reference)
    }

    static func graphQLInput(_ request: FakeVendorServer.RecordedRequest) throws -> [String: Any] {
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        return try #require((body["variables"] as? [String: Any])?["input"] as? [String: Any])
    }

    static func requests(_ fake: FakeVendorServer, containing operation: String) async throws -> [FakeVendorServer.RecordedRequest] {
        try await fake.requests().filter { $0.body.contains(operation) }
    }

    static func expectCleanRequests(_ fake: FakeVendorServer) async throws {
        let requests = try await fake.requests()
        #expect(!requests.isEmpty)
        for request in requests {
            #expect(request.problems.isEmpty, "\(request.body.prefix(80)): \(request.problems)")
            #expect(request.headers["braintree-version"] == BraintreeGateway.version)
        }
    }

    static func transactions(_ fake: FakeVendorServer) async throws -> [[String: Any]] {
        try #require(try await fake.state()["transactions"] as? [[String: Any]])
    }

    // MARK: tests

    @Test func customerVaultAndLookup() async throws {
        try await Self.withBraintree { fake, gateway, _ in
            let (customer, method) = try await Self.vaultedCard(gateway)
            #expect(!customer.id.isEmpty)
            #expect(method.display == "visa •••• 1111" && method.status == .active)
            #expect(method.expires == DateComponents(year: 2030, month: 12))
            #expect(try await gateway.paymentMethod(method.ref) == method)
            let vault = try #require(try await Self.requests(fake, containing: "vaultPaymentMethod").first)
            let input = try Self.graphQLInput(vault)
            #expect(input["customerId"] as? String == customer.id && input["paymentMethodId"] as? String == "fake-valid-visa-nonce")

            let unknown = Data("paymentmethod_cc_nothere".utf8).base64EncodedString()
            await #expect(throws: GatewayError.notFound) { try await gateway.paymentMethod(StoredMethodRef(id: unknown)) }
            try await Self.expectCleanRequests(fake)
        }
    }

    @Test func chargeSendsTheExactAmountStringAndReference() async throws {
        try await Self.withBraintree { fake, gateway, _ in
            let (customer, method) = try await Self.vaultedCard(gateway)
            let key = IdempotencyKey(ledgerKey: "topup", operation: "charge")
            let outcome = try await gateway.charge(Self.charge(customer, method, Self.usd("12.34"), reference: "TOPUP00000000000001"), key: key)
            #expect(outcome.state == .succeeded && outcome.amount == Self.usd("12.34"))
            let recorded = try #require(try await Self.requests(fake, containing: "chargePaymentMethod").first)
            let input = try Self.graphQLInput(recorded)
            let transaction = try #require(input["transaction"] as? [String: Any])
            #expect(transaction["amount"] as? String == "12.34")
            #expect(transaction["orderId"] as? String == "TOPUP00000000000001")
            #expect(input["apiRequestKey"] as? String == key.raw)

            // node(id) status lookup: settled by now, still a succeeded payment.
            #expect(try await gateway.paymentStatus(outcome.ref) == PaymentOutcome(ref: outcome.ref, state: .succeeded, amount: Self.usd("12.34")))
            #expect(try await Self.transactions(fake).first?["status"] as? String == "SETTLED")
            // Sub-cent amounts never reach the wire.
            await #expect(throws: GatewayError.self) {
                try await gateway.charge(Self.charge(customer, method, Money(micros: 1_234_567, currency: .usd)), key: IdempotencyKey(ledgerKey: "x", operation: "charge"))
            }
            try await Self.expectCleanRequests(fake)
        }
    }

    @Test func declinesCaptureNothing() async throws {
        try await Self.withBraintree { fake, gateway, _ in
            let (customer, method) = try await Self.vaultedCard(gateway)
            // The sandbox's processor-declined amount range (2000.00–2999.99 answers that response code).
            await #expect(throws: GatewayError.declined(.init(code: "2046", message: "Processor Declined"))) {
                try await gateway.charge(Self.charge(customer, method, Self.usd("2046.00")), key: IdempotencyKey(ledgerKey: "d1", operation: "charge"))
            }
            try await fake.inject(.decline(match: "POST /graphql"))
            await #expect(throws: GatewayError.declined(.init(code: "2000", message: "Do Not Honor"))) {
                try await gateway.charge(Self.charge(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "d2", operation: "charge"))
            }
            let transactions = try await Self.transactions(fake)
            #expect(transactions.count == 2)
            #expect(transactions.allSatisfy { $0["status"] as? String == "PROCESSOR_DECLINED" })
            try await Self.expectCleanRequests(fake)
        }
    }

    @Test func serverErrorsAreTransientAndRateLimitsCarryRetryAfter() async throws {
        try await Self.withBraintree { fake, gateway, _ in
            let (customer, method) = try await Self.vaultedCard(gateway)
            try await fake.inject(.status(503, match: "POST /graphql"))
            let error = await #expect(throws: GatewayError.self) {
                try await gateway.charge(Self.charge(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            if case .transient = error {} else { Issue.record("503 gave \(String(describing: error))") }
            try await fake.inject(.rateLimit(retryAfterSeconds: 11, match: "POST /graphql"))
            await #expect(throws: GatewayError.rateLimited(retryAfter: .seconds(11))) {
                try await gateway.charge(Self.charge(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "t", operation: "charge"))
            }
            #expect(try await Self.transactions(fake).isEmpty)
            try await Self.expectCleanRequests(fake)
        }
    }

    @Test func lostResponseRetriedWithTheSameKeyChargesOnce() async throws {
        try await Self.withBraintree { fake, gateway, _ in
            let (customer, method) = try await Self.vaultedCard(gateway)
            let request = Self.charge(customer, method, Self.usd("20.00"), reference: "TOPUPLOST")
            let key = IdempotencyKey(ledgerKey: "lost", operation: "charge")
            try await fake.inject(.dropAfterSuccess(match: "POST /graphql"))
            let lost = await #expect(throws: GatewayError.self) { try await gateway.charge(request, key: key) }
            #expect(lost?.isRetryable == true)
            let retried = try await gateway.charge(request, key: key)
            #expect(retried.state == .succeeded)
            let transactions = try await Self.transactions(fake)
            #expect(transactions.count == 1 && transactions.first?["id"] as? String == retried.ref.id)

            // The same apiRequestKey with another amount is Braintree's idempotency validation error.
            await #expect(throws: GatewayError.idempotencyConflict) {
                try await gateway.charge(Self.charge(customer, method, Self.usd("21.00"), reference: "TOPUPLOST"), key: key)
            }
            #expect(try await Self.transactions(fake).count == 1)
            try await Self.expectCleanRequests(fake)
        }
    }

    @Test func partialRefundAndOverRefundRefused() async throws {
        try await Self.withBraintree { fake, gateway, _ in
            let (customer, method) = try await Self.vaultedCard(gateway)
            let payment = try await gateway.charge(Self.charge(customer, method, Self.usd("10.00")), key: IdempotencyKey(ledgerKey: "r", operation: "charge"))
            let refund = try await gateway.refund(
                RefundRequest(payment: payment.ref, amount: Self.usd("4.00"), reason: "unused", reference: "REFUND1"),
                key: IdempotencyKey(ledgerKey: "r1", operation: "refund"))
            #expect(refund.state == .succeeded && refund.amount == Self.usd("4.00"))
            let recorded = try #require(try await Self.requests(fake, containing: "refundTransaction").first)
            #expect((try Self.graphQLInput(recorded)["refund"] as? [String: Any])?["amount"] as? String == "4.00")

            let error = await #expect(throws: GatewayError.self) {
                try await gateway.refund(
                    RefundRequest(payment: payment.ref, amount: Self.usd("6.01"), reason: "too much", reference: "REFUND2"),
                    key: IdempotencyKey(ledgerKey: "r2", operation: "refund"))
            }
            guard case .invalidRequest(let code, _, let field) = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(code == "91521" && field == "input.refund.amount")
            let sale = try #require(try await Self.transactions(fake).first { $0["id"] as? String == payment.ref.id })
            #expect(sale["refunded_units"] as? Int == 400)
            try await Self.expectCleanRequests(fake)
        }
    }

    @Test func webhooksVerifyAndMapToEvents() async throws {
        try await Self.withBraintree { fake, gateway, settings in
            let (customer, method) = try await Self.vaultedCard(gateway)
            let payment = try await gateway.charge(
                Self.charge(customer, method, Self.usd("9.99"), reference: "TOPUPHOOK"), key: IdempotencyKey(ledgerKey: "w", operation: "charge"))
            let refund = try await gateway.refund(
                RefundRequest(payment: payment.ref, amount: Self.usd("1.50"), reason: "partial", reference: "REFUNDHOOK"),
                key: IdempotencyKey(ledgerKey: "w1", operation: "refund"))
            _ = try await gateway.paymentStatus(payment.ref)  // the fake settles the refund before this request

            let verifier = try BraintreeGateway.webhookVerifier(settings: settings)
            var mapped: [GatewayEvent] = []
            for event in try await fake.events() {
                let body = Array(event.body.utf8)
                let delivery = try await verifier.verify(headers: WebhookHeaders(), body: body)
                #expect(delivery.eventID == event.id)
                mapped += try gateway.events(in: delivery, body: body)
            }
            #expect(mapped.count == 2)
            #expect(mapped.first?.kind == .paymentSucceeded && mapped.first?.payment == payment.ref)
            #expect(mapped.first?.reference == "TOPUPHOOK" && mapped.first?.amount == Self.usd("9.99"))
            #expect(mapped.last?.kind == .refundSucceeded && mapped.last?.payment == payment.ref && mapped.last?.refundID == refund.id)
            #expect(mapped.last?.reference == "REFUNDHOOK" && mapped.last?.amount == Self.usd("1.50"))

            // Signed with another private key, the same delivery is refused.
            let stranger = try BraintreeGateway.webhookVerifier(
                settings: GatewaySettings(baseURL: fake.baseURL, credentials: ["public_key": Self.publicKey, "private_key": "another"]))
            let first = try #require(try await fake.events().first)
            await #expect(throws: WebhookVerificationError.self) { try await stranger.verify(headers: WebhookHeaders(), body: Array(first.body.utf8)) }
            try await Self.expectCleanRequests(fake)
        }
    }

    @Test func wrongKeyIsAnAuthenticationErrorThatNeverShowsTheKey() async throws {
        try await Self.withBraintree(privateKey: "bt-wrong-private-key-55") { fake, gateway, _ in
            let error = await #expect(throws: GatewayError.authentication) {
                try await gateway.createCustomer(
                    CreateCustomer(crawlerAccountID: UUID(), email: "a@b.example", name: "A"), key: IdempotencyKey(ledgerKey: "a", operation: "c"))
            }
            for text in [String(describing: error), String(describing: gateway), String(reflecting: gateway)] {
                #expect(!text.contains("bt-wrong-private-key-55") && !text.contains(Self.privateKey) && !text.contains(Self.publicKey))
            }
            let problems = try await fake.requests().flatMap(\.problems)
            #expect(problems == ["Authorization is not Basic public_key:private_key"])
        }
    }

    @Test func currencyNeedsAMerchantAccountAndCapabilitiesAgree() async throws {
        try await Self.withBraintree { fake, _, settings in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let configured = GatewaySettings(baseURL: fake.baseURL, credentials: settings.credentials.merging(["merchant_accounts": "USD=default"]) { $1 })
            let gateway = try BraintreeGateway(settings: configured, transport: GatewayTransport(client: client, timeout: .seconds(2)))
            let (customer, method) = try await Self.vaultedCard(gateway)
            await #expect(throws: GatewayError.unsupported("no Braintree merchant account is configured for EUR")) {
                try await gateway.charge(
                    Self.charge(customer, method, Money(micros: 5_000_000, currency: .eur)), key: IdempotencyKey(ledgerKey: "e", operation: "charge"))
            }
            let outcome = try await gateway.charge(Self.charge(customer, method, Self.usd("5.00")), key: IdempotencyKey(ledgerKey: "u", operation: "charge"))
            #expect(outcome.state == .succeeded)
            let recorded = try #require(try await Self.requests(fake, containing: "chargePaymentMethod").last)
            #expect((try Self.graphQLInput(recorded)["transaction"] as? [String: Any])?["merchantAccountId"] as? String == "default")
            await #expect(throws: GatewayError.self) { try await gateway.balance(of: customer) }
            #expect(gateway.capabilities == GatewayCapabilities.of(.braintree))
            #expect(throws: GatewayError.self) {
                try BraintreeGateway(
                    settings: GatewaySettings(baseURL: fake.baseURL, credentials: settings.credentials.merging(["merchant_accounts": "dollars"]) { $1 }),
                    transport: GatewayTransport(client: client, timeout: .seconds(2)))
            }
            try await client.shutdown()
            try await Self.expectCleanRequests(fake)
        }
    }
}
