/// Builds Authorize.Net JSON API requests with every key in its XSD sequence position (gateways reference §6):
/// `merchantAuthentication, clientId, refId`, then the operation's own elements.
struct AuthorizeNetRequests: Sendable {
    let login: String
    let transactionKey: String

    /// Seconds in which Authorize.Net refuses an identical transaction (error 11); 28800 (8 h) is the largest value
    /// it accepts, so a retry after a lost answer is caught for as long as possible.
    static let duplicateWindowSeconds = 28800
    static let accountCurrencyDefault = "USD"

    private func envelope(_ operation: String, refID: String?, _ body: [(String, AuthorizeNetJSON)]) -> AuthorizeNetJSON {
        var pairs: [(String, AuthorizeNetJSON)] = [
            ("merchantAuthentication", .ordered(["name": .string(login), "transactionKey": .string(transactionKey)]))
        ]
        if let refID { pairs.append(("refId", .string(refID))) }
        pairs += body
        return .object([(operation, .object(pairs))])
    }

    // MARK: customer profiles

    func createCustomerProfile(merchantCustomerID: String, description: String, email: String, refID: String) -> AuthorizeNetJSON {
        envelope("createCustomerProfileRequest", refID: refID, [
            ("profile", .ordered([
                "merchantCustomerId": .string(merchantCustomerID),
                "description": .string(Self.clip(description, 255)),
                "email": email.isEmpty ? nil : .string(Self.clip(email, 255)),
            ]))
        ])
    }

    func getCustomerProfile(merchantCustomerID: String) -> AuthorizeNetJSON {
        envelope("getCustomerProfileRequest", refID: nil, [("merchantCustomerId", .string(merchantCustomerID))])
    }

    /// `validationMode: none`: a zero-amount live validation costs a transaction and a bad card surfaces as a
    /// decline at charge time anyway; the Accept.js nonce was already checked by Authorize.Net when it was issued.
    func createCustomerPaymentProfile(customerProfileID: String, opaqueToken: String, refID: String) -> AuthorizeNetJSON {
        envelope("createCustomerPaymentProfileRequest", refID: refID, [
            ("customerProfileId", .string(customerProfileID)),
            ("paymentProfile", .ordered([
                "payment": .ordered([
                    "opaqueData": .ordered([
                        "dataDescriptor": .string("COMMON.ACCEPT.INAPP.PAYMENT"),
                        "dataValue": .string(opaqueToken),
                    ])
                ])
            ])),
            ("validationMode", .string("none")),
        ])
    }

    func getCustomerPaymentProfile(customerProfileID: String, paymentProfileID: String) -> AuthorizeNetJSON {
        envelope("getCustomerPaymentProfileRequest", refID: nil, [
            ("customerProfileId", .string(customerProfileID)),
            ("customerPaymentProfileId", .string(paymentProfileID)),
            ("unmaskExpirationDate", .string("true")),
        ])
    }

    // MARK: transactions

    func charge(
        amount: String, currency: String, customerProfileID: String, paymentProfileID: String, invoiceNumber: String,
        description: String, refID: String
    ) -> AuthorizeNetJSON {
        envelope("createTransactionRequest", refID: refID, [
            ("transactionRequest", .ordered([
                "transactionType": .string("authCaptureTransaction"),
                "amount": .string(amount),
                "currencyCode": .string(currency),
                "profile": Self.profile(customerProfileID, paymentProfileID),
                "order": Self.order(invoiceNumber, description),
                "transactionSettings": Self.duplicateWindow,
            ]))
        ])
    }

    enum RefundSource {
        case profile(customerProfileID: String, paymentProfileID: String)
        case cardLastFour(String)
    }

    func refund(amount: String, of transactionID: String, source: RefundSource, invoiceNumber: String, description: String, refID: String)
        -> AuthorizeNetJSON
    {
        var payment: AuthorizeNetJSON?
        var profile: AuthorizeNetJSON?
        switch source {
        case .profile(let customer, let method): profile = Self.profile(customer, method)
        case .cardLastFour(let lastFour):
            payment = .ordered(["creditCard": .ordered(["cardNumber": .string(lastFour), "expirationDate": .string("XXXX")])])
        }
        return envelope("createTransactionRequest", refID: refID, [
            ("transactionRequest", .ordered([
                "transactionType": .string("refundTransaction"),
                "amount": .string(amount),
                "payment": payment,
                "profile": profile,
                "refTransId": .string(transactionID),
                "order": Self.order(invoiceNumber, description),
                "transactionSettings": Self.duplicateWindow,
            ]))
        ])
    }

    func void(_ transactionID: String, refID: String) -> AuthorizeNetJSON {
        envelope("createTransactionRequest", refID: refID, [
            ("transactionRequest", .ordered([
                "transactionType": .string("voidTransaction"),
                "refTransId": .string(transactionID),
            ]))
        ])
    }

    func transactionDetails(_ transactionID: String) -> AuthorizeNetJSON {
        envelope("getTransactionDetailsRequest", refID: nil, [("transId", .string(transactionID))])
    }

    /// Newest first: the transaction a lost answer was about is recent.
    func transactionsForCustomer(customerProfileID: String, paymentProfileID: String) -> AuthorizeNetJSON {
        envelope("getTransactionListForCustomerRequest", refID: nil, [
            ("customerProfileId", .string(customerProfileID)),
            ("customerPaymentProfileId", .string(paymentProfileID)),
            ("sorting", .ordered(["orderBy": .string("submitTimeUTC"), "orderDescending": .string("true")])),
            ("paging", .ordered(["limit": .string("1000"), "offset": .string("1")])),
        ])
    }

    // MARK: pieces

    private static func profile(_ customerProfileID: String, _ paymentProfileID: String) -> AuthorizeNetJSON {
        .ordered([
            "customerProfileId": .string(customerProfileID),
            "paymentProfile": .ordered(["paymentProfileId": .string(paymentProfileID)]),
        ])
    }

    private static func order(_ invoiceNumber: String, _ description: String) -> AuthorizeNetJSON {
        .ordered([
            "invoiceNumber": .string(invoiceNumber),
            "description": description.isEmpty ? nil : .string(clip(description, 255)),
        ])
    }

    private static let duplicateWindow: AuthorizeNetJSON = .ordered([
        "setting": .array([
            .ordered(["settingName": .string("duplicateWindow"), "settingValue": .string(String(duplicateWindowSeconds))])
        ])
    ])

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit))
    }
}
