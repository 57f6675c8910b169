import Foundation
import NIOHTTP1
import TollgateCore

/// A payment backend that implements Tollgate's own contract (docs/generic-gateway.openapi.json, gateways
/// reference §7): JSON bodies, a Bearer key, integer minor units with an upper-case ISO code, an `Idempotency-Key` on
/// every POST (replayed on retry, 422 for a different payload, 409 while the first is in flight), RFC 9457 problems
/// with a `code`, and Standard Webhooks.
public struct GenericGateway: ConfigurableGateway {
    public static let gatewayKind = GatewayKind.generic
    /// None: the contract has no production host, so the operator must give the backend's `base_url`. The protocol
    /// requires a value; the empty string is one the control plane refuses as a base URL, so a generic gateway
    /// configured without `base_url` is rejected rather than pointed at a placeholder (see the contract's description).
    public static let defaultBaseURL = ""
    public static let credentialFields = [
        CredentialField("api_key", "API key the backend issued, sent as Authorization: Bearer"),
        CredentialField("webhook_secret", "Standard Webhooks signing secret (whsec_ followed by base64)"),
    ]

    public var kind: GatewayKind { .generic }
    public var capabilities: GatewayCapabilities { .of(.generic) }

    private let baseURL: String
    private let apiKey: String
    private let transport: GatewayTransport

    public init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) {
        apiKey = try settings.credential("api_key")
        guard apiKey.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidRequest(code: "configuration", message: "the API key must be printable ASCII without spaces", field: "credentials.api_key")
        }
        guard let url = URL(string: settings.baseURL), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host?.isEmpty == false
        else {
            throw .invalidRequest(
                code: "configuration", message: "a generic gateway has no default base URL: configure the backend's http(s) base_url",
                field: "base_url")
        }
        baseURL = settings.baseURL
        self.transport = transport
    }

    public static func webhookVerifier(settings: GatewaySettings, transport _: GatewayTransport) throws(GatewayError) -> any WebhookVerifier {
        let secret = try settings.credential("webhook_secret")
        do {
            return try StandardWebhooksVerifier(secret: secret)
        } catch {
            throw .invalidRequest(code: "configuration", message: error.description, field: "credentials.webhook_secret")
        }
    }

    // MARK: operations

    public func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef {
        let customer: GenericCustomer = try await post("/v1/customers", GenericCustomerRequest(
            email: request.email, name: String(request.name.prefix(200)),
            metadata: ["tollgate_crawler_account": request.ownerID.uuidString.lowercased()]), key: key)
        return CustomerRef(id: customer.id)
    }

    public func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError) -> StoredMethod {
        let method: GenericPaymentMethod = try await post(
            "/v1/customers/\(Self.segment(request.customer.id))/payment_methods", GenericPaymentMethodRequest(token: request.token), key: key)
        return method.stored()
    }

    public func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod {
        let method: GenericPaymentMethod = try await get("/v1/payment_methods/\(Self.segment(ref.id))")
        return method.stored()
    }

    /// Sends `request.reference`, which the backend echoes in the Charge and in its `charge.*` events so a payment
    /// whose answer was lost can still be matched. A Charge echoing a different reference is not ours.
    public func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome {
        try GatewayReference.check(request.reference)
        let amount = try GenericMoney(request.amount)
        guard amount.amountMinor > 0 else { throw .invalidAmount("a charge must be positive") }
        let charge: GenericCharge = try await post("/v1/charges", GenericChargeRequest(
            customerId: request.customer.id, paymentMethodId: request.method.id, amount: amount,
            description: String(request.description.prefix(500)), reference: request.reference), key: key)
        try Self.checkEcho(charge.reference, sent: request.reference, object: "charge \(charge.id)")
        return try charge.outcome()
    }

    public func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        try GatewayReference.check(request.reference)
        let amount = try GenericMoney(request.amount)
        guard amount.amountMinor > 0 else { throw .invalidAmount("a refund must be positive") }
        let refund: GenericRefund = try await post(
            "/v1/charges/\(Self.segment(request.payment.id))/refunds",
            GenericRefundRequest(amount: amount, reason: String(request.reason.prefix(500)), reference: request.reference), key: key)
        try Self.checkEcho(refund.reference, sent: request.reference, object: "refund \(refund.id)")
        return RefundOutcome(id: refund.id, state: refund.state, amount: try refund.amount.money())
    }

    public func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome {
        let charge: GenericCharge = try await get("/v1/charges/\(Self.segment(ref.id))")
        return try charge.outcome()
    }

    /// The contract's `available`: what the backend holds for the customer from its succeeded charges, less their
    /// refunds, in the currency of the most recent one (never negative; nothing in the contract spends from it).
    public func balance(of customer: CustomerRef) async throws(GatewayError) -> Money {
        let balance: GenericBalance = try await get("/v1/customers/\(Self.segment(customer.id))/balance")
        return try balance.available.money()
    }

    public func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        [try GenericEvents.event(from: body, delivery: delivery)]
    }

    // MARK: wire

    private func get<T: Decodable>(_ path: String) async throws(GatewayError) -> T {
        try await send(GatewayHTTPRequest(method: .GET, url: baseURL + path, headers: headers()))
    }

    private func post<Body: Encodable, T: Decodable>(_ path: String, _ body: Body, key: IdempotencyKey) async throws(GatewayError) -> T {
        let bytes: [UInt8]
        do {
            bytes = Array(try GenericJSON.encoder.encode(body))
        } catch {
            throw .invalidRequest(code: "encoding", message: "the request could not be encoded as JSON", field: nil)
        }
        var headers = headers()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Idempotency-Key", value: key.raw)
        return try await send(GatewayHTTPRequest(method: .POST, url: baseURL + path, headers: headers, body: bytes))
    }

    private func headers() -> HTTPHeaders {
        ["Authorization": "Bearer \(apiKey)", "Accept": "application/json, application/problem+json", "User-Agent": "Tollgate"]
    }

    private func send<T: Decodable>(_ request: GatewayHTTPRequest) async throws(GatewayError) -> T {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else { throw GenericProblem.map(response, secret: apiKey) }
        do {
            return try GenericJSON.decoder.decode(T.self, from: Data(response.body))
        } catch {
            throw .invalidRequest(code: "unexpected_response", message: "the backend's answer could not be read as \(T.self)", field: nil)
        }
    }

    /// The contract requires the backend to echo our reference unchanged; one that answers with another reference
    /// answered for some other request, so its object must not be taken as ours. A missing echo is tolerated.
    static func checkEcho(_ echoed: String?, sent: String, object: String) throws(GatewayError) {
        guard let echoed, echoed != sent else { return }
        throw .invalidRequest(
            code: "unexpected_response", message: "the backend answered with \(object) for reference \(echoed), not \(sent)",
            field: "reference")
    }

    /// Vendor ids come from outside; escape them so one can never change the path.
    static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? id
    }
}
