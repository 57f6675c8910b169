import AsyncHTTPClient
import Foundation
import NIOCore
import TollgateCore
import TollgateGateways

/// One vendor fake, an HTTP client over it and an adapter configured for it: what every gateway test starts from.
/// `run` starts the fake, builds the rest, runs the test body and then shuts the client down and stops the fake,
/// whether the body returned or threw.
///
/// The harness returns data only; checks on it (`expectCleanRequests` and the like) live in the test targets, which
/// have Swift Testing.
public struct GatewayHarness<Gateway: ConfigurableGateway>: Sendable {
    public let fake: FakeVendorServer
    public let client: HTTPClient
    public let transport: GatewayTransport
    public let settings: GatewaySettings
    public let gateway: Gateway

    /// Starts `python -m gateway_fakes VENDOR` with `options`, configures the adapter with `credentials` against it
    /// (over a transport with `timeout`), runs `body`, and always cleans up.
    public static func run(
        vendor: String, options: [String: String], credentials: [String: String], timeout: TimeAmount = .seconds(10),
        _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        let fake = try await FakeVendorServer.start(vendor, options: options)
        defer { fake.stop() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let transport = GatewayTransport(client: client, timeout: timeout)
            let settings = GatewaySettings(baseURL: fake.baseURL, credentials: credentials)
            let gateway = try Gateway(settings: settings, transport: transport)
            try await body(GatewayHarness(fake: fake, client: client, transport: transport, settings: settings, gateway: gateway))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The same fake, client and transport with another adapter configured with `credentials` (wrong keys, extra
    /// configuration). It is cleaned up with this one.
    public func reconfigured(credentials: [String: String]) throws(GatewayError) -> GatewayHarness {
        let settings = GatewaySettings(baseURL: fake.baseURL, credentials: credentials)
        return GatewayHarness(
            fake: fake, client: client, transport: transport, settings: settings,
            gateway: try Gateway(settings: settings, transport: transport))
    }

    /// The adapter's webhook verifier for these settings, over this transport.
    public func webhookVerifier() throws(GatewayError) -> any WebhookVerifier {
        try Gateway.webhookVerifier(settings: settings, transport: transport)
    }

    // MARK: customers and payment methods

    /// A customer for a fresh owner id, under a fresh idempotency key.
    public func createCustomer(
        ownerID: UUID = UUID(), email: String = "ops@crawler.example", name: String = "Example Crawler"
    ) async throws(GatewayError) -> CustomerRef {
        try await gateway.createCustomer(
            CreateCustomer(ownerID: ownerID, email: email, name: name),
            key: IdempotencyKey(ledgerKey: UUID().uuidString, operation: "customer"))
    }

    /// Attaches the vendor's client-side `token` to `customer`, under a fresh idempotency key.
    public func attach(_ customer: CustomerRef, token: String) async throws(GatewayError) -> StoredMethod {
        try await gateway.attachPaymentMethod(
            AttachPaymentMethod(customer: customer, token: token), key: IdempotencyKey(ledgerKey: UUID().uuidString, operation: "attach"))
    }

    /// A new customer with `token` attached as its payment method.
    public func customerAndMethod(token: String) async throws(GatewayError) -> (CustomerRef, StoredMethod) {
        let customer = try await createCustomer()
        return (customer, try await attach(customer, token: token))
    }

    // MARK: charges and refunds

    public func chargeRequest(
        _ customer: CustomerRef, _ method: StoredMethod, _ amount: Money, reference: String = "TOPUP0001",
        description: String = "Tollgate prepaid top-up"
    ) -> ChargeRequest {
        ChargeRequest(customer: customer, method: method.ref, amount: amount, description: description, reference: reference)
    }

    public func chargeRequest(
        _ customer: CustomerRef, _ method: StoredMethod, micros: Int64, currency: Currency = .usd, reference: String = "TOPUP0001"
    ) -> ChargeRequest {
        chargeRequest(customer, method, Money(micros: micros, currency: currency), reference: reference)
    }

    /// Charges `micros` under `key`, or a fresh key.
    public func charge(
        _ customer: CustomerRef, _ method: StoredMethod, micros: Int64, currency: Currency = .usd, reference: String = "TOPUP0001",
        key: IdempotencyKey? = nil
    ) async throws(GatewayError) -> PaymentOutcome {
        try await gateway.charge(
            chargeRequest(customer, method, micros: micros, currency: currency, reference: reference),
            key: key ?? IdempotencyKey(ledgerKey: UUID().uuidString, operation: "charge"))
    }

    /// Refunds `micros` of `payment` under `key`, or a fresh key.
    public func refund(
        _ payment: PaymentRef, micros: Int64, currency: Currency = .usd, reason: String = "crawler asked", reference: String = "REFUND1",
        key: IdempotencyKey? = nil
    ) async throws(GatewayError) -> RefundOutcome {
        try await gateway.refund(
            RefundRequest(payment: payment, amount: Money(micros: micros, currency: currency), reason: reason, reference: reference),
            key: key ?? IdempotencyKey(ledgerKey: UUID().uuidString, operation: "refund"))
    }

    // MARK: what the fake saw

    /// One collection of the fake's objects (`customers`, `charges`, …); empty when the fake has none.
    public func state(_ collection: String) async throws -> [[String: Any]] {
        try await fake.state()[collection] as? [[String: Any]] ?? []
    }

    /// The recorded requests the vendor would have refused, each with what was wrong (empty for a clean run).
    public func refusedRequests() async throws -> [FakeVendorServer.RecordedRequest] {
        try await fake.requests().filter { !$0.problems.isEmpty }
    }
}
