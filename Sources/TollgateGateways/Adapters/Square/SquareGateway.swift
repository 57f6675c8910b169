import Foundation
import NIOHTTP1
import TollgateCore

/// Square (gateways reference §4): Bearer token, pinned `Square-Version`, JSON bodies, integer minor units, and
/// idempotency as an `idempotency_key` body field (≤ 45 characters; our keys are 26). Cards are vaulted from a Web
/// Payments SDK nonce with `POST /v2/cards` and charged as cards on file together with their customer.
public struct SquareGateway: ConfigurableGateway, CustomStringConvertible, CustomReflectable {
    public static let gatewayKind = GatewayKind.square
    public static let defaultBaseURL = "https://connect.squareup.com"
    public static let version = "2025-08-20"
    public static let credentialFields = [
        CredentialField("access_token", "Square access token (personal or OAuth), sent as a Bearer token"),
        CredentialField("webhook_signature_key", "signature key of the Square webhook subscription"),
        CredentialField(
            "webhook_notification_url", "the subscription's notification URL exactly as registered; Square signs it"),
        CredentialField("location_id", "location that takes the payments; Square uses the main location without it", required: false),
    ]

    public let kind = GatewayKind.square
    public let capabilities = GatewayCapabilities.of(.square)

    private let baseURL: String
    private let accessToken: String
    private let locationID: String?
    private let transport: GatewayTransport

    public init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) {
        accessToken = try settings.credential("access_token")
        locationID = settings.credentials["location_id"].flatMap { $0.isEmpty ? nil : $0 }
        baseURL = settings.baseURL
        self.transport = transport
    }

    public static func webhookVerifier(settings: GatewaySettings, transport _: GatewayTransport) throws(GatewayError) -> any WebhookVerifier {
        let key = try settings.credential("webhook_signature_key")
        let url = try settings.credential("webhook_notification_url")
        do {
            return try SquareWebhookVerifier(signatureKey: key, notificationURL: url)
        } catch {
            throw .invalidRequest(
                code: "configuration", message: "the Square webhook signature key is not usable",
                field: "credentials.webhook_signature_key")
        }
    }

    public var description: String { "SquareGateway(\(baseURL))" }
    public var customMirror: Mirror { Mirror(self, children: ["baseURL": baseURL]) }

    // MARK: operations

    public func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef {
        // Crawler operators are organisations, so the name goes to company_name; reference_id ties it to our owner id.
        let body = SquareCreateCustomerRequest(
            idempotencyKey: key.raw, companyName: request.name, emailAddress: request.email,
            referenceId: request.ownerID.uuidString.lowercased())
        let envelope = try await send(.POST, "/v2/customers", body: try SquareJSON.encode(body))
        guard let customer = envelope.customer else { throw Self.unreadable }
        return CustomerRef(id: customer.id)
    }

    public func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError) -> StoredMethod {
        let body = SquareCreateCardRequest(
            idempotencyKey: key.raw, sourceId: request.token, card: .init(customerId: request.customer.id))
        let envelope = try await send(.POST, "/v2/cards", body: try SquareJSON.encode(body))
        guard let card = envelope.card else { throw Self.unreadable }
        return Self.storedMethod(card)
    }

    public func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod {
        let envelope = try await send(.GET, "/v2/cards/\(try Self.pathSegment(ref.id))", body: nil)
        guard let card = envelope.card else { throw Self.unreadable }
        return Self.storedMethod(card)
    }

    public func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome {
        try GatewayReference.check(request.reference)
        let body = SquareCreatePaymentRequest(
            idempotencyKey: key.raw, sourceId: request.method.id,
            amountMoney: SquareMoney(amount: try WireAmount.minorUnits(request.amount), currency: request.amount.currency.code),
            customerId: request.customer.id, locationId: locationID, referenceId: request.reference,
            note: String(request.description.prefix(500)), autocomplete: true)
        let envelope = try await send(.POST, "/v2/payments", body: try SquareJSON.encode(body))
        guard let payment = envelope.payment else { throw Self.unreadable }
        let outcome = try Self.outcome(payment, errors: envelope.errors, fallback: request.amount)
        if case .declined(let decline) = outcome.state { throw .declined(decline) }
        return outcome
    }

    public func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        try GatewayReference.check(request.reference)
        // RefundPayment has no reference field: the reason ends with "[REFERENCE]" so refund webhooks can be matched.
        let reason = String("\(request.reason) [\(request.reference)]".suffix(192))
        let body = SquareRefundPaymentRequest(
            idempotencyKey: key.raw,
            amountMoney: SquareMoney(amount: try WireAmount.minorUnits(request.amount), currency: request.amount.currency.code),
            paymentId: request.payment.id, reason: reason)
        let envelope = try await send(.POST, "/v2/refunds", body: try SquareJSON.encode(body))
        guard let refund = envelope.refund else { throw Self.unreadable }
        let amount = try refund.amountMoney.map(SquareEvents.money) ?? request.amount
        let state: RefundOutcome.State =
            switch refund.status {
            case "COMPLETED": .succeeded
            case "REJECTED", "FAILED": .failed(refund.status ?? "FAILED")
            default: .pending
            }
        return RefundOutcome(id: refund.id, state: state, amount: amount)
    }

    public func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome {
        let envelope = try await send(.GET, "/v2/payments/\(try Self.pathSegment(ref.id))", body: nil)
        guard let payment = envelope.payment, let money = payment.amountMoney else { throw Self.unreadable }
        return try Self.outcome(payment, errors: envelope.errors, fallback: try SquareEvents.money(money))
    }

    public func balance(of customer: CustomerRef) async throws(GatewayError) -> Money {
        throw .unsupported("Square keeps no customer balance (only gift cards)")
    }

    public func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        try SquareEvents.events(in: delivery, body: body)
    }

    // MARK: wire

    private static let unreadable = GatewayError.transient("Square answered without the expected object")

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws(GatewayError) -> SquareEnvelope {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        headers.add(name: "Square-Version", value: Self.version)
        headers.add(name: "Accept", value: "application/json")
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let response = try await transport.send(GatewayHTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
        guard (200..<300).contains(response.status) else {
            // A declined payment comes back as 402 with the FAILED payment; the error list names the reason.
            throw SquareErrors.map(response)
        }
        guard let envelope = SquareJSON.decode(SquareEnvelope.self, from: response.body) else { throw Self.unreadable }
        return envelope
    }

    private static func pathSegment(_ id: String) throws(GatewayError) -> String {
        guard !id.isEmpty, let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
        else { throw .invalidRequest(code: nil, message: "an empty Square id", field: "id") }
        return escaped
    }

    static func outcome(_ payment: SquarePayment, errors: [SquareErrorItem]?, fallback: Money) throws(GatewayError) -> PaymentOutcome {
        let amount = try payment.amountMoney.map(SquareEvents.money) ?? fallback
        let state: PaymentState =
            switch payment.status {
            case "COMPLETED": .succeeded
            case "FAILED": .declined(SquareErrors.decline(payment, errors: errors))
            case "CANCELED": .canceled
            // APPROVED is authorised but not captured; PENDING is still being processed.
            default: .pending
            }
        return PaymentOutcome(ref: PaymentRef(id: payment.id), state: state, amount: amount)
    }

    static func storedMethod(_ card: SquareCard) -> StoredMethod {
        var expires: DateComponents?
        var status = StoredMethod.Status.active
        if let year = card.expYear, let month = card.expMonth {
            expires = DateComponents(year: year, month: month)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let now = calendar.dateComponents([.year, .month], from: Date())
            if let nowYear = now.year, let nowMonth = now.month, (year, month) < (nowYear, nowMonth) { status = .expired }
        }
        if card.enabled == false { status = .disabled }
        let brand = (card.cardBrand ?? "card").lowercased().replacingOccurrences(of: "_", with: " ")
        return StoredMethod(
            ref: StoredMethodRef(id: card.id), status: status, display: "\(brand) •••• \(card.last4 ?? "????")", expires: expires)
    }
}
