import Foundation
import NIOHTTP1
import TollgateCore

/// Braintree's GraphQL API (gateways reference §3): `POST /graphql` with Basic `public_key:private_key`, a pinned
/// `Braintree-Version`, `{query, variables}` bodies and decimal-string amounts. HTTP 200 can still carry `errors`.
/// The currency is not an input: the merchant account decides it, so each currency needs its own account
/// (`merchant_accounts`). Idempotency uses the documented `apiRequestKey` on charges and refunds.
public struct BraintreeGateway: ConfigurableGateway, CustomStringConvertible, CustomReflectable {
    public static let gatewayKind = GatewayKind.braintree
    public static let defaultBaseURL = "https://payments.braintree-api.com"
    /// The API version we speak; Braintree answers in the shapes of this date.
    public static let version = "2025-04-29"
    public static let credentialFields = [
        CredentialField("public_key", "API public key (Basic auth user; also names our pair in webhook signatures)"),
        CredentialField("private_key", "API private key (Basic auth password; keys the webhook HMAC)"),
        CredentialField("merchant_id", "merchant id of the account, for support and reconciliation; not sent on the GraphQL wire", required: false),
        CredentialField(
            "merchant_accounts", "merchant account per currency, e.g. USD=acme_usd,EUR=acme_eur; without it the default account is charged",
            required: false),
    ]

    public let kind = GatewayKind.braintree
    public let capabilities = GatewayCapabilities.of(.braintree)

    private let baseURL: String
    private let authorization: String
    private let merchantAccounts: [String: String]
    private let transport: GatewayTransport

    public init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) {
        let publicKey = try settings.credential("public_key")
        let privateKey = try settings.credential("private_key")
        authorization = "Basic " + Data("\(publicKey):\(privateKey)".utf8).base64EncodedString()
        var accounts: [String: String] = [:]
        for pair in (settings.credentials["merchant_accounts"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, (try? Currency(parts[0])) != nil, !parts[1].isEmpty else {
                throw .invalidRequest(
                    code: "configuration", message: "merchant_accounts is a comma-separated list of CUR=account",
                    field: "credentials.merchant_accounts")
            }
            accounts[parts[0]] = parts[1]
        }
        merchantAccounts = accounts
        baseURL = settings.baseURL
        self.transport = transport
    }

    public static func webhookVerifier(settings: GatewaySettings, transport _: GatewayTransport) throws(GatewayError) -> any WebhookVerifier {
        let publicKey = try settings.credential("public_key")
        let privateKey = try settings.credential("private_key")
        do {
            return try BraintreeWebhookVerifier(publicKey: publicKey, privateKey: privateKey)
        } catch {
            throw .invalidRequest(code: "configuration", message: "the Braintree keys are not usable for webhooks", field: "credentials.public_key")
        }
    }

    public var description: String { "BraintreeGateway(\(baseURL))" }
    public var customMirror: Mirror { Mirror(self, children: ["baseURL": baseURL]) }

    // MARK: customers and payment methods

    /// Braintree's CustomerInput has no free metadata field (custom fields must be set up in the control panel
    /// first), so the crawler operator is identified by name and email only.
    public func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef {
        let input = BraintreeGraphQL.CreateCustomerInput(customer: .init(email: request.email, company: request.name))
        let payload = try await execute(
            BraintreeGraphQL.createCustomer, BraintreeGraphQL.Input(input: input), as: BraintreeGraphQL.CreateCustomerPayload.self)
        guard let id = payload.createCustomer?.customer?.id else { throw Self.unreadable }
        return CustomerRef(id: id)
    }

    /// `token` is a single-use payment method id (nonce) from Braintree's client SDK.
    public func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError)
        -> StoredMethod
    {
        let input = BraintreeGraphQL.VaultPaymentMethodInput(paymentMethodId: request.token, customerId: request.customer.id)
        let payload = try await execute(
            BraintreeGraphQL.vaultPaymentMethod, BraintreeGraphQL.Input(input: input), as: BraintreeGraphQL.VaultPayload.self)
        guard let method = payload.vaultPaymentMethod?.paymentMethod else { throw Self.unreadable }
        return Self.storedMethod(method)
    }

    public func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod {
        let payload = try await execute(
            BraintreeGraphQL.paymentMethod, BraintreeGraphQL.ID(id: ref.id),
            as: BraintreeGraphQL.NodePayload<BraintreeGraphQL.PaymentMethod>.self)
        guard let method = payload.node else { throw .notFound }
        return Self.storedMethod(method)
    }

    static func storedMethod(_ method: BraintreeGraphQL.PaymentMethod) -> StoredMethod {
        let ref = StoredMethodRef(id: method.id)
        let status: StoredMethod.Status = method.usage == "MULTI_USE" || method.usage == nil ? .active : .disabled
        guard let details = method.details, details.__typename == "CreditCardDetails" else {
            let email = method.details?.email.map { " \($0)" } ?? ""
            return StoredMethod(ref: ref, status: status, display: "paypal\(email)", expires: nil)
        }
        var expires: DateComponents?
        var current = status
        if let year = details.expirationYear.flatMap(Int.init), let month = details.expirationMonth.flatMap(Int.init) {
            expires = DateComponents(year: year, month: month)
            let now = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
            if let nowYear = now.year, let nowMonth = now.month, (year, month) < (nowYear, nowMonth) { current = .expired }
        }
        let brand = (details.brandCode ?? "card").lowercased()
        return StoredMethod(ref: ref, status: current, display: "\(brand) •••• \(details.last4 ?? "")", expires: expires)
    }

    // MARK: payments

    public func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome {
        try GatewayReference.check(request.reference)
        let account = try merchantAccount(for: request.amount.currency)
        let input = BraintreeGraphQL.ChargePaymentMethodInput(
            paymentMethodId: request.method.id,
            transaction: .init(
                amount: try WireAmount.decimalString(request.amount), merchantAccountId: account, orderId: request.reference,
                customerId: request.customer.id, paymentInitiator: "UNSCHEDULED"),
            apiRequestKey: key.raw)
        let payload = try await execute(
            BraintreeGraphQL.chargePaymentMethod, BraintreeGraphQL.Input(input: input), as: BraintreeGraphQL.ChargePayload.self)
        guard let transaction = payload.chargePaymentMethod?.transaction else { throw Self.unreadable }
        let outcome = try Self.outcome(transaction, fallback: request.amount)
        if case .declined(let decline) = outcome.state { throw .declined(decline) }
        guard outcome.amount.currency == request.amount.currency else {
            // Only possible without merchant_accounts: the default account settles in another currency.
            throw .invalidRequest(
                code: "currency_mismatch",
                message: "the Braintree merchant account charged in \(outcome.amount.currency.code), not \(request.amount.currency.code); configure merchant_accounts",
                field: "credentials.merchant_accounts")
        }
        return outcome
    }

    /// Braintree refunds only settled (or settling) transactions; earlier ones answer legacy code 91506.
    public func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        try GatewayReference.check(request.reference)
        let input = BraintreeGraphQL.RefundTransactionInput(
            transactionId: request.payment.id,
            refund: .init(
                amount: try WireAmount.decimalString(request.amount), orderId: request.reference,
                merchantAccountId: try merchantAccount(for: request.amount.currency)),
            apiRequestKey: key.raw)
        let payload = try await execute(
            BraintreeGraphQL.refundTransaction, BraintreeGraphQL.Input(input: input), as: BraintreeGraphQL.RefundPayload.self)
        guard let refund = payload.refundTransaction?.refund else { throw Self.unreadable }
        let state: RefundOutcome.State =
            switch refund.status {
            case "SUBMITTED_FOR_SETTLEMENT", "SETTLING", "SETTLED", "SETTLEMENT_PENDING", "SETTLEMENT_CONFIRMED": .succeeded
            case "AUTHORIZED", "AUTHORIZING": .pending
            default: .failed(refund.status)
            }
        return RefundOutcome(id: refund.id, state: state, amount: try refund.amount?.money() ?? request.amount)
    }

    public func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome {
        let payload = try await execute(
            BraintreeGraphQL.transaction, BraintreeGraphQL.ID(id: ref.id), as: BraintreeGraphQL.NodePayload<BraintreeGraphQL.Transaction>.self)
        guard let transaction = payload.node else { throw .notFound }
        guard let amount = try transaction.amount?.money() else { throw Self.unreadable }
        return try Self.outcome(transaction, fallback: amount)
    }

    public func balance(of customer: CustomerRef) async throws(GatewayError) -> Money {
        throw .unsupported("Braintree keeps no customer balance")
    }

    static func outcome(_ transaction: BraintreeGraphQL.Transaction, fallback: Money) throws(GatewayError) -> PaymentOutcome {
        let state: PaymentState =
            switch transaction.status {
            // Submitted for settlement means captured; settlement itself follows in Braintree's batch.
            case "SUBMITTED_FOR_SETTLEMENT", "SETTLING", "SETTLED", "SETTLEMENT_PENDING", "SETTLEMENT_CONFIRMED": .succeeded
            case "AUTHORIZED", "AUTHORIZING": .pending
            case "PROCESSOR_DECLINED", "GATEWAY_REJECTED", "SETTLEMENT_DECLINED":
                .declined(
                    .init(
                        code: transaction.processorResponse?.legacyCode ?? transaction.status,
                        message: transaction.processorResponse?.message ?? transaction.status.lowercased()))
            case "VOIDED", "AUTHORIZATION_EXPIRED": .canceled
            default: .failed(transaction.status)
            }
        return PaymentOutcome(ref: PaymentRef(id: transaction.id), state: state, amount: try transaction.amount?.money() ?? fallback)
    }

    // MARK: webhooks

    public func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        try BraintreeEvents.parse(delivery, body: body)
    }

    // MARK: transport

    private static let unreadable = GatewayError.transient("Braintree answered without the expected data")

    private func merchantAccount(for currency: Currency) throws(GatewayError) -> String? {
        guard !merchantAccounts.isEmpty else { return nil }
        guard let account = merchantAccounts[currency.code] else {
            throw .unsupported("no Braintree merchant account is configured for \(currency.code)")
        }
        return account
    }

    private func execute<Variables: Encodable, Payload: Decodable>(_ query: String, _ variables: Variables, as: Payload.Type)
        async throws(GatewayError) -> Payload
    {
        let body: [UInt8]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // a retry sends byte-identical input
        do { body = Array(try encoder.encode(BraintreeGraphQL.Request(query: query, variables: variables))) } catch {
            throw .invalidRequest(code: nil, message: "could not encode the Braintree request", field: nil)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: authorization)
        headers.add(name: "Braintree-Version", value: Self.version)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        let response = try await transport.send(GatewayHTTPRequest(method: .POST, url: baseURL + "/graphql", headers: headers, body: body))
        guard response.status == 200 else { throw BraintreeErrors.map(status: response) }
        let decoded: BraintreeGraphQL.Response<Payload>
        do { decoded = try JSONDecoder().decode(BraintreeGraphQL.Response<Payload>.self, from: Data(response.body)) } catch {
            throw Self.unreadable
        }
        if let first = decoded.errors?.first { throw BraintreeErrors.map(first, response: response) }
        guard let data = decoded.data else { throw Self.unreadable }
        return data
    }
}
