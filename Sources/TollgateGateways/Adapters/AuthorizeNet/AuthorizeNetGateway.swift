import Foundation
import NIOHTTP1
import TollgateCore

/// Authorize.Net's JSON API (gateways reference §6): one POST endpoint, credentials in the body, keys in XSD order,
/// every answer HTTP 200 with a BOM. Customers are CIM customer profiles, saved methods are payment profiles
/// (`StoredMethodRef.id` is `"<customerProfileId>/<customerPaymentProfileId>"`, since every lookup needs both), and
/// payments are transactions (`PaymentRef.id` is the `transId`).
///
/// There is no idempotency key: charges and refunds carry our reference as the invoice number and a
/// `duplicateWindow`, so a retry of a call whose answer was lost is refused as error 11; the adapter then finds
/// the original by invoice number among the customer's transactions and returns it instead of charging twice.
public struct AuthorizeNetGateway: ConfigurableGateway {
    public static let gatewayKind = GatewayKind.authorizeNet
    public static let defaultBaseURL = "https://api.authorize.net"
    public static let endpointPath = "/xml/v1/request.api"
    public static let credentialFields = [
        CredentialField("api_login_id", "API Login ID, sent as merchantAuthentication.name"),
        CredentialField("transaction_key", "Transaction Key, sent as merchantAuthentication.transactionKey"),
        CredentialField("signature_key", "Signature Key (128 hex characters) that signs webhooks in X-ANET-Signature"),
        CredentialField("currency", "The account's processing currency, ISO 4217 (default USD)", required: false),
    ]

    public let kind = GatewayKind.authorizeNet
    public let capabilities = GatewayCapabilities.of(.authorizeNet)

    private let endpoint: String
    private let transport: GatewayTransport
    private let requests: AuthorizeNetRequests
    private let errors: AuthorizeNetErrors
    let accountCurrency: Currency

    public init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) {
        let login = try settings.credential("api_login_id")
        let transactionKey = try settings.credential("transaction_key")
        let code = settings.credentials["currency"].flatMap { $0.isEmpty ? nil : $0 } ?? AuthorizeNetRequests.accountCurrencyDefault
        do {
            accountCurrency = try Currency(code)
        } catch {
            throw .invalidRequest(code: "configuration", message: "the currency credential is not an ISO 4217 code", field: "credentials.currency")
        }
        endpoint = settings.baseURL.hasSuffix(Self.endpointPath) ? settings.baseURL : settings.baseURL + Self.endpointPath
        self.transport = transport
        requests = AuthorizeNetRequests(login: login, transactionKey: transactionKey)
        errors = AuthorizeNetErrors(secrets: [login, transactionKey, settings.credentials["signature_key"] ?? ""])
    }

    public static func webhookVerifier(settings: GatewaySettings, transport _: GatewayTransport) throws(GatewayError) -> any WebhookVerifier {
        let key = try settings.credential("signature_key")
        do {
            return try AuthorizeNetWebhookVerifier(signatureKey: key)
        } catch {
            throw .invalidRequest(code: "configuration", message: "the signature_key credential is not 128 hexadecimal characters", field: "credentials.signature_key")
        }
    }

    // MARK: customers and payment methods

    public func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef {
        let merchantCustomerID = Self.merchantCustomerID(request.ownerID)
        let response = try await call(requests.createCustomerProfile(
            merchantCustomerID: merchantCustomerID, description: request.name, email: request.email, refID: key.refID))
        if response.isOK, let id = response.customerProfileId?.value { return CustomerRef(id: id) }
        guard response.codes.contains(AuthorizeNetErrors.duplicateRecord) else { throw errors.apiError(response) }
        // A retry after a lost answer (or a second registration): the profile keyed by our id already exists.
        let existing = try await call(requests.getCustomerProfile(merchantCustomerID: merchantCustomerID))
        guard existing.isOK, let id = existing.profile?.customerProfileId?.value else { throw errors.apiError(existing) }
        return CustomerRef(id: id)
    }

    public func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError) -> StoredMethod {
        let response = try await call(requests.createCustomerPaymentProfile(
            customerProfileID: request.customer.id, opaqueToken: request.token, refID: key.refID))
        // E00039 means this card is already on the profile; Authorize.Net names the existing payment profile.
        guard response.isOK || response.codes.contains(AuthorizeNetErrors.duplicateRecord),
            let id = response.customerPaymentProfileId?.value
        else { throw errors.apiError(response) }
        return try await paymentMethod(StoredMethodRef(id: "\(request.customer.id)/\(id)"))
    }

    public func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod {
        let (customerID, methodID) = try Self.split(ref, customer: nil)
        let response = try await call(requests.getCustomerPaymentProfile(customerProfileID: customerID, paymentProfileID: methodID))
        guard response.isOK, let card = response.paymentProfile?.payment?.creditCard else {
            if response.isOK { throw .unsupported("payment profiles other than cards") }
            throw errors.apiError(response)
        }
        let lastFour = String((card.cardNumber ?? "").suffix(4))
        let expires = card.expirationDate.flatMap(Self.expiry)
        return StoredMethod(
            ref: StoredMethodRef(id: "\(customerID)/\(methodID)"),
            status: expires.map(Self.isExpired) == true ? .expired : .active,
            display: "\(card.cardType ?? "card") •••• \(lastFour)",
            expires: expires)
    }

    public func balance(of customer: CustomerRef) async throws(GatewayError) -> Money {
        throw .unsupported("Authorize.Net keeps no customer balance")
    }

    // MARK: charges

    public func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome {
        let amount = try Self.positiveAmount(request.amount)
        try GatewayReference.check(request.reference)
        let (customerID, methodID) = try Self.split(request.method, customer: request.customer)
        let response = try await call(requests.charge(
            amount: amount, currency: request.amount.currency.code, customerProfileID: customerID, paymentProfileID: methodID,
            invoiceNumber: request.reference, description: request.description, refID: key.refID))
        let transaction = response.transactionResponse
        switch transaction?.responseCode?.value {
        case "1", "4":
            guard let id = transaction?.transId?.value, id != "0" else { throw errors.apiError(response) }
            return PaymentOutcome(ref: PaymentRef(id: id), state: transaction?.responseCode?.value == "1" ? .succeeded : .pending, amount: request.amount)
        case "3" where Self.hasError(response, AuthorizeNetErrors.duplicateTransaction):
            return try await reconcileCharge(request, customerID: customerID, methodID: methodID)
        case .some:
            throw errors.transactionError(response)
        case nil:
            throw errors.apiError(response)
        }
    }

    /// The original of a charge Authorize.Net called a duplicate: the customer's transaction with our invoice number.
    private func reconcileCharge(_ request: ChargeRequest, customerID: String, methodID: String) async throws(GatewayError) -> PaymentOutcome {
        guard let id = try await findTransaction(customerID: customerID, methodID: methodID, invoiceNumber: request.reference, refund: false) else {
            throw .duplicateSuspected
        }
        let outcome = try await paymentStatus(PaymentRef(id: id))
        if case .declined(let decline) = outcome.state { throw .declined(decline) }
        return outcome
    }

    public func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome {
        let transaction = try await details(ref.id)
        let amount = try WireAmount.money(decimalString: transaction.authAmount?.value ?? "0", currency: accountCurrency)
        return PaymentOutcome(ref: PaymentRef(id: transaction.transId.value), state: Self.state(of: transaction), amount: amount)
    }

    // MARK: refunds

    public func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        let amount = try Self.positiveAmount(request.amount)
        try GatewayReference.check(request.reference)
        guard request.amount.currency == accountCurrency else {
            throw .invalidRequest(code: nil, message: "the account's payments are in \(accountCurrency.code)", field: "amount")
        }
        let original = try await details(request.payment.id)
        let charged = try WireAmount.money(decimalString: original.authAmount?.value ?? "0", currency: accountCurrency)
        // Before settlement only a void reverses a payment, and only in full; a retried void finds it voided.
        if original.transactionStatus == "voided", request.amount == charged {
            return RefundOutcome(id: original.transId.value, state: .succeeded, amount: request.amount)
        }

        let source: AuthorizeNetRequests.RefundSource
        let profileIDs = (original.profile?.customerProfileId?.value, original.profile?.customerPaymentProfileId?.value)
        if let customerID = profileIDs.0, let methodID = profileIDs.1 {
            source = .profile(customerProfileID: customerID, paymentProfileID: methodID)
        } else if let number = original.payment?.creditCard?.cardNumber, number.count >= 4 {
            source = .cardLastFour(String(number.suffix(4)))
        } else {
            throw .unsupported("refunds of transactions without a card or customer profile")
        }
        let response = try await call(requests.refund(
            amount: amount, of: original.transId.value, source: source, invoiceNumber: request.reference,
            description: request.reason, refID: key.refID))
        let transaction = response.transactionResponse
        switch transaction?.responseCode?.value {
        case "1", "4":
            guard let id = transaction?.transId?.value, id != "0" else { throw errors.apiError(response) }
            return RefundOutcome(id: id, state: transaction?.responseCode?.value == "1" ? .succeeded : .pending, amount: request.amount)
        case "3" where Self.hasError(response, AuthorizeNetErrors.duplicateTransaction):
            guard let customerID = profileIDs.0, let methodID = profileIDs.1,
                let id = try await findTransaction(customerID: customerID, methodID: methodID, invoiceNumber: request.reference, refund: true)
            else { throw .duplicateSuspected }
            let refund = try await details(id)
            return RefundOutcome(id: id, state: Self.refundState(of: refund), amount: request.amount)
        case "3" where Self.hasError(response, AuthorizeNetErrors.notRefundable)
            && original.transactionStatus == "capturedPendingSettlement" && request.amount == charged:
            return try await void(original.transId.value, amount: request.amount, key: key)
        case "3" where Self.hasError(response, AuthorizeNetErrors.notRefundable) && original.transactionStatus == "capturedPendingSettlement":
            throw .invalidRequest(
                code: AuthorizeNetErrors.notRefundable,
                message: "the payment is not settled yet: until it settles only the full amount can be reversed (voided)", field: "amount")
        case .some:
            throw errors.transactionError(response)
        case nil:
            throw errors.apiError(response)
        }
    }

    private func void(_ transactionID: String, amount: Money, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome {
        let response = try await call(requests.void(transactionID, refID: key.refID))
        guard response.transactionResponse?.responseCode?.value == "1" else { throw errors.transactionError(response) }
        return RefundOutcome(id: response.transactionResponse?.transId?.value ?? transactionID, state: .succeeded, amount: amount)
    }

    // MARK: wire

    private func call(_ body: AuthorizeNetJSON) async throws(GatewayError) -> AuthorizeNetResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        let response = try await transport.send(GatewayHTTPRequest(method: .POST, url: endpoint, headers: headers, body: body.bytes))
        // Authorize.Net itself always answers 200; anything else comes from the infrastructure in front of it.
        guard response.status == 200 else {
            throw GatewayError.forStatus(response.status, retryAfter: response.retryAfter, message: "Authorize.Net answered HTTP \(response.status)")
        }
        return try AuthorizeNetResponse.decode(response.body)
    }

    private func details(_ transactionID: String) async throws(GatewayError) -> AuthorizeNetResponse.Transaction {
        let response = try await call(requests.transactionDetails(transactionID))
        guard response.isOK, let transaction = response.transaction else { throw errors.apiError(response) }
        return transaction
    }

    private func findTransaction(customerID: String, methodID: String, invoiceNumber: String, refund: Bool) async throws(GatewayError) -> String? {
        let response = try await call(requests.transactionsForCustomer(customerProfileID: customerID, paymentProfileID: methodID))
        if !response.isOK {
            if response.codes.contains(AuthorizeNetErrors.recordNotFound) { return nil }
            throw errors.apiError(response)
        }
        return response.transactions?.items.first {
            $0.invoiceNumber == invoiceNumber && $0.transactionStatus.hasPrefix("refund") == refund
        }?.transId.value
    }

    private static func hasError(_ response: AuthorizeNetResponse, _ code: String) -> Bool {
        response.transactionResponse?.errors?.items.contains { $0.errorCode.value == code } ?? false
    }

    // MARK: mapping

    static func state(of transaction: AuthorizeNetResponse.Transaction) -> PaymentState {
        switch transaction.transactionStatus {
        case "capturedPendingSettlement", "settledSuccessfully": .succeeded
        case "authorizedPendingCapture", "FDSPendingReview", "FDSAuthorizedPendingReview", "underReview", "pendingSettlement":
            .pending
        case "declined":
            .declined(.init(code: transaction.responseReasonCode?.value, message: transaction.responseReasonDescription ?? "declined"))
        case "voided", "expired": .canceled
        default: .failed(transaction.transactionStatus)
        }
    }

    static func refundState(of transaction: AuthorizeNetResponse.Transaction) -> RefundOutcome.State {
        switch transaction.transactionStatus {
        case "refundSettledSuccessfully": .succeeded
        case "refundPendingSettlement": .succeeded
        case "FDSPendingReview", "underReview": .pending
        default: .failed(transaction.transactionStatus)
        }
    }

    /// Our 20-character `merchantCustomerId`: base32 of the owner id's UUID (100 bits kept).
    static func merchantCustomerID(_ id: UUID) -> String {
        String(Base32.encode(withUnsafeBytes(of: id.uuid) { Array($0) }).prefix(20))
    }

    static func split(_ ref: StoredMethodRef, customer: CustomerRef?) throws(GatewayError) -> (String, String) {
        let parts = ref.id.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { return (String(parts[0]), String(parts[1])) }
        if parts.count == 1, let customer, !ref.id.isEmpty { return (customer.id, ref.id) }
        throw .invalidRequest(code: nil, message: "an Authorize.Net payment method is \"<customerProfileId>/<customerPaymentProfileId>\"", field: "method")
    }

    static func positiveAmount(_ money: Money) throws(GatewayError) -> String {
        guard money.micros > 0 else { throw .invalidAmount("Authorize.Net amounts must be positive") }
        return try WireAmount.decimalString(money)
    }

    /// "2030-12" (unmasked) → year and month; "XXXX" (masked) → nil.
    static func expiry(_ text: String) -> DateComponents? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        return DateComponents(year: year, month: month)
    }

    /// A card works through the last day of its expiry month.
    static func isExpired(_ expiry: DateComponents) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = calendar.dateComponents([.year, .month], from: Date())
        guard let year = expiry.year, let month = expiry.month, let thisYear = now.year, let thisMonth = now.month else { return false }
        return (year, month) < (thisYear, thisMonth)
    }
}
