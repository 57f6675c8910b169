import Foundation
import NIOHTTP1
import TollgateCore

/// Adyen Checkout v71 (gateways reference §5): `X-API-Key`, JSON bodies, `{value, currency}` minor units and an
/// `Idempotency-Key` header (≤ 64) on every POST.
///
/// Adyen has no customer object: the `shopperReference` is the customer. `createCustomer` therefore makes no call
/// and returns a reference derived from our owner id (stable, so a retry yields the same customer, and free
/// of PII as Adyen asks). Stored cards are listed per shopper, so a `StoredMethodRef` id is
/// "<shopperReference>:<storedPaymentMethodId>"; that is what lets `paymentMethod(_:)` find one again.
/// Refusals are HTTP 200 with `resultCode: "Refused"`; refunds are asynchronous (201 "received", the outcome arrives
/// by REFUND / REFUND_FAILED webhook); there is no payment lookup at all.
public struct AdyenGateway: ConfigurableGateway, CustomStringConvertible, CustomReflectable {
    public static let gatewayKind = GatewayKind.adyen
    /// Live endpoints need the merchant's prefix (`https://{PREFIX}-checkout-live.adyenpayments.com/checkout`), so
    /// the default is the test endpoint; `/v71` is appended by the adapter.
    public static let defaultBaseURL = "https://checkout-test.adyen.com"
    public static let apiVersion = "v71"
    public static let defaultReturnURL = "https://example.com/tollgate/adyen/return"
    public static let credentialFields = [
        CredentialField("api_key", "Checkout API key of the web-service user, sent as X-API-Key"),
        CredentialField("merchant_account", "merchant account that takes the payments"),
        CredentialField("hmac_key", "hexadecimal HMAC key of the standard-notification webhook"),
        CredentialField("return_url", "https URL sent as returnUrl (required by the API, unused for stored-card charges)", required: false),
    ]

    public let kind = GatewayKind.adyen
    public let capabilities = GatewayCapabilities.of(.adyen)

    private let baseURL: String
    private let apiKey: String
    private let merchantAccount: String
    private let returnURL: String
    private let transport: GatewayTransport

    public init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) {
        apiKey = try settings.credential("api_key")
        merchantAccount = try settings.credential("merchant_account")
        returnURL = settings.credentials["return_url"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultReturnURL
        baseURL = settings.baseURL.hasSuffix("/\(Self.apiVersion)") ? settings.baseURL : "\(settings.baseURL)/\(Self.apiVersion)"
        self.transport = transport
    }

    public static func webhookVerifier(settings: GatewaySettings, transport _: GatewayTransport) throws(GatewayError) -> any WebhookVerifier {
        let key = try settings.credential("hmac_key")
        do {
            return try AdyenWebhookVerifier(hmacKeyHex: key)
        } catch {
            throw .invalidRequest(code: "configuration", message: "the Adyen HMAC key must be hexadecimal", field: "credentials.hmac_key")
        }
    }

    public var description: String { "AdyenGateway(\(baseURL))" }
    public var customMirror: Mirror { Mirror(self, children: ["baseURL": baseURL]) }

    // MARK: operations

    public func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef {
        CustomerRef(id: request.ownerID.uuidString.lowercased())
    }

    /// `token` is the `paymentMethod` object Adyen Web produces (JSON text: type "scheme" and the encrypted card
    /// fields); it is stored for the customer's shopperReference with `POST /storedPaymentMethods`.
    public func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError) -> StoredMethod {
        guard let paymentMethod = (try? JSONSerialization.jsonObject(with: Data(request.token.utf8))) as? [String: Any] else {
            throw .invalidRequest(
                code: "token", message: "an Adyen token is the JSON paymentMethod object produced by Adyen Web", field: "token")
        }
        let object: [String: Any] = [
            "merchantAccount": merchantAccount, "shopperReference": request.customer.id,
            "recurringProcessingModel": "UnscheduledCardOnFile", "paymentMethod": paymentMethod,
        ]
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw .invalidRequest(code: "token", message: "the Adyen token cannot be re-encoded", field: "token")
        }
        let response = try await send(.POST, "/storedPaymentMethods", body: Array(body), key: key)
        guard let stored = AdyenJSON.decode(AdyenStoredPaymentMethod.self, from: response.body) else { throw Self.unreadable }
        return Self.storedMethod(stored, shopperReference: request.customer.id)
    }

    public func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod {
        let (shopperReference, storedID) = try Self.split(ref)
        let query = "shopperReference=\(Self.queryEscape(shopperReference))&merchantAccount=\(Self.queryEscape(merchantAccount))"
        let response = try await send(.GET, "/storedPaymentMethods?\(query)", body: nil, key: nil)
        guard let list = AdyenJSON.decode(AdyenStoredPaymentMethods.self, from: response.body) else { throw Self.unreadable }
        guard let stored = list.storedPaymentMethods?.first(where: { $0.id == storedID }) else { throw .notFound }
        return Self.storedMethod(stored, shopperReference: shopperReference)
    }

    public func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome {
        try GatewayReference.check(request.reference)
        let (shopperReference, storedID) = try Self.split(request.method)
        guard shopperReference == request.customer.id else {
            throw .invalidRequest(code: nil, message: "the stored card belongs to another shopper", field: "method")
        }
        let amount = AdyenAmount(currency: request.amount.currency.code, value: try WireAmount.minorUnits(request.amount))
        let body = AdyenPaymentRequest(
            amount: amount, merchantAccount: merchantAccount, reference: request.reference, returnUrl: returnURL,
            paymentMethod: AdyenStoredCard(storedPaymentMethodId: storedID), shopperReference: shopperReference)
        let response = try await send(.POST, "/payments", body: try AdyenJSON.encode(body), key: key)
        guard let payment = AdyenJSON.decode(AdyenPaymentResponse.self, from: response.body), let psp = payment.pspReference else {
            throw Self.unreadable
        }
        // Adyen answers a reused key with the stored first answer whatever the new body says; a different
        // reference or amount means the key was reused for another charge.
        if payment.merchantReference.map({ $0 != request.reference }) == true || payment.amount.map({ $0 != amount }) == true {
            throw .idempotencyConflict
        }
        let state: PaymentState
        switch payment.resultCode {
        case "Authorised", "Success":
            state = .succeeded
        case "Refused":
            throw .declined(GatewayError.Decline(code: payment.refusalReasonCode, message: payment.refusalReason ?? "Refused"))
        case "Cancelled":
            state = .canceled
        case "Pending", "Received":
            state = .pending
        case "RedirectShopper", "ChallengeShopper", "IdentifyShopper", "PresentToShopper":
            state = .requiresAction(payment.action?.url.flatMap(URL.init(string:)))
        default:
            // Error, PartiallyAuthorised (we never allow partial authorisation) or a code newer than v71.
            state = .failed(payment.refusalReason ?? payment.resultCode ?? "no resultCode")
        }
        return PaymentOutcome(ref: PaymentRef(id: psp), state: state, amount: request.amount)
    }

    public func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        try GatewayReference.check(request.reference)
        let amount = AdyenAmount(currency: request.amount.currency.code, value: try WireAmount.minorUnits(request.amount))
        let body = AdyenRefundRequest(amount: amount, merchantAccount: merchantAccount, reference: request.reference)
        let path = "/payments/\(try Self.pathSegment(request.payment.id))/refunds"
        let response = try await send(.POST, path, body: try AdyenJSON.encode(body), key: key)
        guard let refund = AdyenJSON.decode(AdyenRefundResponse.self, from: response.body) else { throw Self.unreadable }
        if refund.reference.map({ $0 != request.reference }) == true || refund.amount.map({ $0 != amount }) == true
            || refund.paymentPspReference.map({ $0 != request.payment.id }) == true
        {
            throw .idempotencyConflict
        }
        // "received" only: whether the refund went through arrives later in a REFUND / REFUND_FAILED webhook.
        return RefundOutcome(id: refund.pspReference, state: .pending, amount: request.amount)
    }

    public func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome {
        throw .unsupported("Adyen Checkout has no payment lookup; the AUTHORISATION webhook reports the outcome")
    }

    public func balance(of customer: CustomerRef) async throws(GatewayError) -> Money {
        throw .unsupported("Adyen keeps no customer balance")
    }

    public func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        try AdyenEvents.events(in: delivery, body: body)
    }

    // MARK: wire

    private static let unreadable = GatewayError.transient("Adyen answered without the expected object")

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?, key: IdempotencyKey?) async throws(GatewayError)
        -> GatewayHTTPResponse
    {
        var headers = HTTPHeaders()
        headers.add(name: "X-API-Key", value: apiKey)
        headers.add(name: "Accept", value: "application/json")
        if let key { headers.add(name: "Idempotency-Key", value: key.raw) }
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let response = try await transport.send(GatewayHTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
        guard (200..<300).contains(response.status) else { throw AdyenErrors.map(response) }
        return response
    }

    static func split(_ ref: StoredMethodRef) throws(GatewayError) -> (shopperReference: String, storedPaymentMethodId: String) {
        guard let colon = ref.id.lastIndex(of: ":"), colon != ref.id.startIndex, ref.id.index(after: colon) != ref.id.endIndex else {
            throw .invalidRequest(code: nil, message: "not an Adyen stored-method reference (shopperReference:id)", field: "method")
        }
        return (String(ref.id[..<colon]), String(ref.id[ref.id.index(after: colon)...]))
    }

    private static func pathSegment(_ id: String) throws(GatewayError) -> String {
        guard !id.isEmpty, let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
        else { throw .invalidRequest(code: nil, message: "an empty Adyen pspReference", field: "payment") }
        return escaped
    }

    private static func queryEscape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    static func storedMethod(_ stored: AdyenStoredPaymentMethod, shopperReference: String) -> StoredMethod {
        var expires: DateComponents?
        var status = StoredMethod.Status.active
        if let year = stored.expiryYear.flatMap({ Int($0) }), let month = stored.expiryMonth.flatMap({ Int($0) }) {
            let fullYear = year < 100 ? 2000 + year : year
            expires = DateComponents(year: fullYear, month: month)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let now = calendar.dateComponents([.year, .month], from: Date())
            if let nowYear = now.year, let nowMonth = now.month, (fullYear, month) < (nowYear, nowMonth) { status = .expired }
        }
        return StoredMethod(
            ref: StoredMethodRef(id: "\(shopperReference):\(stored.id)"), status: status,
            display: "\((stored.brand ?? "card").lowercased()) •••• \(stored.lastFour ?? "????")", expires: expires)
    }
}
