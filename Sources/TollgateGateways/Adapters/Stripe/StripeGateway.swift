import Foundation
import NIOHTTP1
import TollgateCore

/// Stripe over its REST API (gateways reference §1): PaymentIntents confirmed off-session against PaymentMethods
/// attached to a Customer, form-encoded bodies, `Stripe-Version` pinned to the spec we validate against, and an
/// `Idempotency-Key` on every POST (Stripe replays the first answer for the same key and parameters).
public struct StripeGateway: ConfigurableGateway {
    public static let gatewayKind = GatewayKind.stripe
    public static let defaultBaseURL = "https://api.stripe.com"
    /// `info.version` of specs/stripe/spec3.yaml: response shapes depend on it.
    public static let apiVersion = "2023-08-16"
    /// Metadata keys that carry our ids, so webhooks and the Stripe dashboard can be matched to the ledger.
    public static let referenceKey = "tollgate_reference"
    public static let credentialFields = [
        CredentialField("secret_key", "Secret API key (sk_live_… or sk_test_…; the key decides live or test mode)"),
        CredentialField("webhook_secret", "Signing secret of the webhook endpoint (whsec_…)"),
    ]

    public var kind: GatewayKind { .stripe }
    public var capabilities: GatewayCapabilities { .of(.stripe) }

    private let baseURL: String
    private let secretKey: String
    private let transport: GatewayTransport

    public init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) {
        let key = try settings.credential("secret_key")
        guard key.hasPrefix("sk_") || key.hasPrefix("rk_") else {
            throw .invalidRequest(code: "configuration", message: "a Stripe secret key starts with sk_ or rk_", field: "credentials.secret_key")
        }
        baseURL = settings.baseURL
        secretKey = key
        self.transport = transport
    }

    public static func webhookVerifier(settings: GatewaySettings, transport _: GatewayTransport) throws(GatewayError) -> any WebhookVerifier {
        let secret = try settings.credential("webhook_secret")
        do {
            return try StripeWebhookVerifier(secret: secret)
        } catch {
            throw .invalidRequest(code: "configuration", message: error.description, field: "credentials.webhook_secret")
        }
    }

    // MARK: operations

    public func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef {
        let customer: StripeCustomer = try await post("/v1/customers", [
            .init("email", .string(request.email)),
            .init("name", .string(request.name)),
            .init("metadata", .object([.init("tollgate_crawler_account", .string(request.ownerID.uuidString.lowercased()))])),
        ], key: key)
        return CustomerRef(id: customer.id)
    }

    public func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError) -> StoredMethod {
        let method: StripePaymentMethod = try await post(
            "/v1/payment_methods/\(Self.segment(request.token))/attach", [.init("customer", .string(request.customer.id))], key: key)
        return method.stored()
    }

    public func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod {
        let method: StripePaymentMethod = try await get("/v1/payment_methods/\(Self.segment(ref.id))")
        return method.stored()
    }

    public func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome {
        try GatewayReference.check(request.reference)
        let minor = try WireAmount.minorUnits(request.amount)
        guard minor > 0 else { throw .invalidAmount("a charge must be positive") }
        let intent: StripePaymentIntent = try await post("/v1/payment_intents", [
            .init("amount", .integer(minor)),
            .init("currency", .string(WireAmount.lowercaseCode(request.amount.currency))),
            .init("customer", .string(request.customer.id)),
            .init("payment_method", .string(request.method.id)),
            // Merchant-initiated: nobody is present to pass 3-D Secure, so Stripe must decide now.
            .init("confirm", .bool(true)),
            .init("off_session", .bool(true)),
            .init("description", .string(String(request.description.prefix(1000)))),
            .init("metadata", .object([.init(Self.referenceKey, .string(request.reference))])),
        ], key: key)
        return try intent.outcome()
    }

    public func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        try GatewayReference.check(request.reference)
        let minor = try WireAmount.minorUnits(request.amount)
        guard minor > 0 else { throw .invalidAmount("a refund must be positive") }
        // Stripe's `reason` is an enum; our free-text reason travels as metadata (values ≤ 500 characters).
        let refund: StripeRefund = try await post("/v1/refunds", [
            .init("payment_intent", .string(request.payment.id)),
            .init("amount", .integer(minor)),
            .init("metadata", .object([
                .init(Self.referenceKey, .string(request.reference)),
                .init("tollgate_reason", .string(String(request.reason.prefix(500)))),
            ])),
        ], key: key)
        let amount = try StripeMoney.money(refund.amount, refund.currency)
        guard amount.currency == request.amount.currency else {
            throw .invalidAmount("Stripe refunded in \(amount.currency.code), not \(request.amount.currency.code)")
        }
        return RefundOutcome(id: refund.id, state: refund.state, amount: amount)
    }

    public func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome {
        let intent: StripePaymentIntent = try await get("/v1/payment_intents/\(Self.segment(ref.id))")
        return try intent.outcome()
    }

    /// The customer's credit held at Stripe, positive when the customer has credit: Stripe's `balance` is negative
    /// for credit and positive for an amount owed, so the sign is flipped.
    public func balance(of customer: CustomerRef) async throws(GatewayError) -> Money {
        let found: StripeCustomer = try await get("/v1/customers/\(Self.segment(customer.id))")
        let owed = found.balance ?? 0
        guard let code = found.currency else {
            // Stripe sets the currency with the first balance change; until then nothing is held.
            guard owed == 0 else { throw .invalidAmount("Stripe reported a balance without a currency") }
            return .zero(.usd)
        }
        return try StripeMoney.money(-owed, code)
    }

    public func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        [try StripeEvents.event(from: body)]
    }

    // MARK: wire

    private func get<T: Decodable>(_ path: String) async throws(GatewayError) -> T {
        try await send(GatewayHTTPRequest(method: .GET, url: baseURL + path, headers: headers()))
    }

    private func post<T: Decodable>(_ path: String, _ fields: [StripeFormEncoder.Field], key: IdempotencyKey) async throws(GatewayError) -> T {
        var headers = headers()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        headers.add(name: "Idempotency-Key", value: key.raw)
        let body = Array(StripeFormEncoder.encode(fields).utf8)
        return try await send(GatewayHTTPRequest(method: .POST, url: baseURL + path, headers: headers, body: body))
    }

    private func headers() -> HTTPHeaders {
        [
            "Authorization": "Bearer \(secretKey)",
            "Stripe-Version": Self.apiVersion,
            "Accept": "application/json",
            "User-Agent": "Tollgate",
        ]
    }

    private func send<T: Decodable>(_ request: GatewayHTTPRequest) async throws(GatewayError) -> T {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else { throw StripeErrors.map(response, secret: secretKey) }
        do {
            return try StripeJSON.decoder.decode(T.self, from: Data(response.body))
        } catch {
            // The call did take effect; a retry with the same key replays this answer, so this is not transient.
            throw .invalidRequest(code: "unexpected_response", message: "Stripe's answer could not be read as \(T.self)", field: nil)
        }
    }

    /// Vendor ids come from outside; escape them so one can never change the path.
    static func segment(_ id: String) -> String {
        StripeFormEncoder.escape(id)
    }
}
