import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import TollgateCore

/// PayPal (gateways reference §2): OAuth2 client credentials → Bearer token, JSON bodies, decimal-string amounts,
/// idempotency by the `PayPal-Request-Id` header. Saved instruments are Vault v3 payment tokens converted from setup
/// tokens; a charge is an Orders v2 order with intent CAPTURE paying with the token's `vault_id`, which PayPal
/// completes at once, so our `PaymentRef` is the capture id (refunds and status work on captures).
public struct PayPalGateway: ConfigurableGateway, CustomStringConvertible, CustomReflectable {
    public static let gatewayKind = GatewayKind.paypal
    public static let defaultBaseURL = "https://api-m.paypal.com"
    public static let credentialFields = [
        CredentialField("client_id", "REST app client id (OAuth2 client credentials)"),
        CredentialField("client_secret", "REST app secret, used only to obtain access tokens"),
        CredentialField("webhook_id", "id of the webhook subscription; PayPal signs it into every delivery"),
    ]

    public let kind = GatewayKind.paypal
    public let capabilities = GatewayCapabilities.of(.paypal)

    private let baseURL: String
    private let basicCredentials: String
    private let transport: GatewayTransport
    let tokens = PayPalTokenCache()

    public init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) {
        let clientID = try settings.credential("client_id")
        let secret = try settings.credential("client_secret")
        basicCredentials = Data("\(clientID):\(secret)".utf8).base64EncodedString()
        baseURL = settings.baseURL
        self.transport = transport
    }

    /// PayPal's offline check (``PayPalWebhookVerifier`` with ``PayPalCertificateChecker``): the certificate each
    /// delivery names is fetched from PayPal's hosts (or the configured base URL's origin, for sandboxes and fakes),
    /// cached, chain-validated against the system trust roots and used to verify the SHA256withRSA signature. The
    /// certificates are fetched over `transport`, the server's.
    public static func webhookVerifier(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) -> any WebhookVerifier {
        try webhookVerifier(settings: settings, transport: transport, trustAnchorsPEM: nil)
    }

    /// The same with other trust anchors: `trustAnchorsPEM` replaces the system roots (tests, private CAs); nil keeps them.
    public static func webhookVerifier(settings: GatewaySettings, transport: GatewayTransport, trustAnchorsPEM: String?)
        throws(GatewayError) -> PayPalWebhookVerifier
    {
        let checker: PayPalCertificateChecker
        do {
            checker = try PayPalCertificateChecker(transport: transport, baseURL: settings.baseURL, trustAnchorsPEM: trustAnchorsPEM)
        } catch {
            throw .invalidRequest(code: "configuration", message: "the PayPal trust anchors are not usable", field: nil)
        }
        return try webhookVerifier(settings: settings, checker: checker)
    }

    /// A verifier with another signature checker; certificate URLs are held to the same hosts.
    public static func webhookVerifier(settings: GatewaySettings, checker: any PayPalTransmissionSignatureChecker)
        throws(GatewayError) -> PayPalWebhookVerifier
    {
        let webhookID = try settings.credential("webhook_id")
        let baseURL = settings.baseURL
        do {
            return try PayPalWebhookVerifier(
                webhookID: webhookID, checker: checker,
                isTrustedCertificateURL: { PayPalCertificateChecker.isAllowedCertificateURL($0, baseURL: baseURL) })
        } catch {
            throw .invalidRequest(
                code: "configuration", message: "the PayPal webhook id is not usable", field: "credentials.webhook_id")
        }
    }

    public var description: String { "PayPalGateway(\(baseURL))" }
    public var customMirror: Mirror { Mirror(self, children: ["baseURL": baseURL]) }

    // MARK: customers and vault

    /// PayPal has no customer API: Vault v3 creates the customer when the first payment token names it. The id is
    /// derived from our owner id (stable across retries, within the vault's 22-character `[0-9a-zA-Z_-]` limit).
    public func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef {
        let digest = SHA256.hash(data: Array(request.ownerID.uuidString.lowercased().utf8))
        return CustomerRef(id: "TG" + Base32.encode(Array(digest.prefix(15))).prefix(20))
    }

    /// `token` is an approved setup token from PayPal's client-side flow (JS SDK or `POST /v3/vault/setup-tokens`).
    public func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError)
        -> StoredMethod
    {
        // The vault spec enumerates only BILLING_AGREEMENT here, but PayPal converts setup tokens with SETUP_TOKEN
        // (specs/README.md, known divergence); the live API is what counts.
        let body = PayPalPaymentTokenRequest(
            customer: .init(id: request.customer.id), payment_source: .init(token: .init(id: request.token, type: "SETUP_TOKEN")))
        let response = try await send(.POST, "/v3/vault/payment-tokens", body: try PayPalJSON.encode(body), requestID: key.raw)
        return try Self.storedMethod(PayPalJSON.decode(PayPalPaymentToken.self, response.body))
    }

    public func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod {
        try Self.storedMethod(try await paymentToken(ref))
    }

    private func paymentToken(_ ref: StoredMethodRef) async throws(GatewayError) -> PayPalPaymentToken {
        let response = try await send(.GET, "/v3/vault/payment-tokens/\(try Self.pathSegment(ref.id))")
        return try PayPalJSON.decode(PayPalPaymentToken.self, response.body)
    }

    static func storedMethod(_ token: PayPalPaymentToken) -> StoredMethod {
        let ref = StoredMethodRef(id: token.id)
        if let card = token.payment_source?.card {
            var expires: DateComponents?
            var status = StoredMethod.Status.active
            if let expiry = card.expiry, case let parts = expiry.split(separator: "-"), parts.count == 2,
                let year = Int(parts[0]), let month = Int(parts[1])
            {
                expires = DateComponents(year: year, month: month)
                let now = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
                if let nowYear = now.year, let nowMonth = now.month, (year, month) < (nowYear, nowMonth) { status = .expired }
            }
            let brand = (card.brand ?? "card").lowercased()
            return StoredMethod(ref: ref, status: status, display: "\(brand) •••• \(card.last_digits ?? "")", expires: expires)
        }
        if token.payment_source?.venmo != nil { return StoredMethod(ref: ref, status: .active, display: "venmo", expires: nil) }
        let email = token.payment_source?.paypal?.email_address.map { " \($0)" } ?? ""
        return StoredMethod(ref: ref, status: .active, display: "paypal\(email)", expires: nil)
    }

    // MARK: payments

    public func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome {
        try GatewayReference.check(request.reference)
        let amount = try PayPalMoney(request.amount)
        // The order must name the vaulted instrument's kind (card / paypal / venmo); the token says which.
        let token = try await paymentToken(request.method)
        var source = PayPalOrderRequest.Source()
        if token.payment_source?.card != nil {
            source.card = .init(
                vault_id: token.id,
                stored_credential: .init(payment_initiator: "MERCHANT", payment_type: "UNSCHEDULED", usage: "SUBSEQUENT"))
        } else if token.payment_source?.venmo != nil {
            source.venmo = .init(vault_id: token.id)
        } else {
            source.paypal = .init(vault_id: token.id)
        }
        let description = request.description.isEmpty ? nil : String(request.description.prefix(127))
        let body = PayPalOrderRequest(
            intent: "CAPTURE", payment_source: source,
            purchase_units: [.init(reference_id: request.reference, custom_id: request.reference, description: description, amount: amount)])
        let response = try await send(.POST, "/v2/checkout/orders", body: try PayPalJSON.encode(body), requestID: key.raw)
        var order = try PayPalJSON.decode(PayPalOrder.self, response.body)
        if order.status == "APPROVED" {
            // Not completed on creation (e.g. a wallet needing a separate capture): capture it under a derived key.
            let captured = try await send(
                .POST, "/v2/checkout/orders/\(try Self.pathSegment(order.id))/capture", body: nil, requestID: key.raw + "-capture")
            order = try PayPalJSON.decode(PayPalOrder.self, captured.body)
        }
        let outcome = try Self.outcome(of: order, fallback: request.amount)
        if case .declined(let decline) = outcome.state { throw .declined(decline) }
        return outcome
    }

    public func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        try GatewayReference.check(request.reference)
        let note = request.reason.isEmpty ? nil : String(request.reason.prefix(255))
        let body = PayPalRefundRequest(amount: try PayPalMoney(request.amount), custom_id: request.reference, note_to_payer: note)
        let response = try await send(
            .POST, "/v2/payments/captures/\(try Self.pathSegment(request.payment.id))/refund", body: try PayPalJSON.encode(body),
            requestID: key.raw)
        let refund = try PayPalJSON.decode(PayPalRefund.self, response.body)
        let state: RefundOutcome.State =
            switch refund.status {
            case "COMPLETED": .succeeded
            case "PENDING": .pending
            default: .failed(refund.status_details?.reason ?? refund.status)
            }
        return RefundOutcome(id: refund.id, state: state, amount: try refund.amount?.money() ?? request.amount)
    }

    /// `ref` is normally a capture id; an order id (an order that did not complete at once) is looked up as an order.
    public func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome {
        let segment = try Self.pathSegment(ref.id)
        do throws(GatewayError) {
            let response = try await send(.GET, "/v2/payments/captures/\(segment)")
            let capture = try PayPalJSON.decode(PayPalCapture.self, response.body)
            guard let amount = try capture.amount?.money() else { throw .transient("PayPal sent a capture without amount") }
            return PaymentOutcome(ref: ref, state: Self.state(of: capture), amount: amount)
        } catch .notFound {
            let response = try await send(.GET, "/v2/checkout/orders/\(segment)")
            let order = try PayPalJSON.decode(PayPalOrder.self, response.body)
            guard let amount = try order.purchase_units?.first?.amount?.money() else {
                throw .transient("PayPal sent an order without amount")
            }
            return try Self.outcome(of: order, fallback: amount)
        }
    }

    public func balance(of customer: CustomerRef) async throws(GatewayError) -> Money {
        throw .unsupported("PayPal keeps no customer balance")
    }

    static func outcome(of order: PayPalOrder, fallback: Money) throws(GatewayError) -> PaymentOutcome {
        if let capture = order.purchase_units?.first?.payments?.captures?.first {
            return PaymentOutcome(
                ref: PaymentRef(id: capture.id), state: state(of: capture), amount: try capture.amount?.money() ?? fallback)
        }
        let state: PaymentState =
            switch order.status {
            case "PAYER_ACTION_REQUIRED":
                .requiresAction(order.links?.first { $0.rel == "payer-action" || $0.rel == "approve" }.flatMap { URL(string: $0.href) })
            case "VOIDED": .canceled
            default: .pending
            }
        return PaymentOutcome(ref: PaymentRef(id: order.id), state: state, amount: fallback)
    }

    static func state(of capture: PayPalCapture) -> PaymentState {
        switch capture.status {
        // A later refund does not undo the payment; refunds are tracked on their own.
        case "COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED": .succeeded
        case "PENDING": .pending
        case "DECLINED":
            .declined(.init(code: capture.processor_response?.response_code ?? "DECLINED", message: "the capture was declined"))
        default: .failed(capture.status_details?.reason ?? capture.status)
        }
    }

    // MARK: webhooks

    public func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        try PayPalEvents.parse(delivery, body: body)
    }

    // MARK: transport

    private static func pathSegment(_ id: String) throws(GatewayError) -> String {
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0)
            || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else { throw .invalidRequest(code: nil, message: "not a PayPal id", field: "id") }
        return id
    }

    private func accessToken() async throws(GatewayError) -> String {
        let transport = transport
        let url = baseURL + "/v1/oauth2/token"
        let basic = basicCredentials
        return try await tokens.token { () async throws(GatewayError) -> (token: String, lifetime: Duration) in
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "Basic \(basic)")
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            headers.add(name: "Accept", value: "application/json")
            let response = try await transport.send(
                GatewayHTTPRequest(method: .POST, url: url, headers: headers, body: Array("grant_type=client_credentials".utf8)))
            guard (200..<300).contains(response.status) else { throw PayPalErrors.map(response) }
            let token = try PayPalJSON.decode(PayPalAccessToken.self, response.body)
            guard !token.access_token.isEmpty, token.expires_in > 0 else { throw .transient("PayPal issued an unusable access token") }
            return (token.access_token, .seconds(token.expires_in))
        }
    }

    /// One API call with the cached token; a 401 means PayPal dropped the token early, so fetch a new one once.
    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, requestID: String? = nil)
        async throws(GatewayError) -> GatewayHTTPResponse
    {
        var attempt = 0
        while true {
            attempt += 1
            let token = try await accessToken()
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "Bearer \(token)")
            headers.add(name: "Accept", value: "application/json")
            if body != nil { headers.add(name: "Content-Type", value: "application/json") }
            if let requestID {
                headers.add(name: "PayPal-Request-Id", value: requestID)
                headers.add(name: "Prefer", value: "return=representation")
            }
            let response = try await transport.send(GatewayHTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
            if (200..<300).contains(response.status) { return response }
            if response.status == 401 && attempt == 1 {
                await tokens.invalidate(token)
                continue
            }
            throw PayPalErrors.map(response)
        }
    }
}
