import Foundation

/// Every Authorize.Net answer, whatever the operation: `ANetApiResponse` (`refId, messages`) plus the optional
/// elements of the operations we call. Key order does not matter when reading.
struct AuthorizeNetResponse: Decodable, Sendable {
    struct Messages: Decodable, Sendable {
        struct Message: Decodable, Sendable {
            let code: String
            let text: String
        }
        let resultCode: String
        let message: AuthorizeNetList<Message>
    }

    struct CreditCard: Decodable, Sendable {
        let cardNumber: String?
        let expirationDate: String?
        let cardType: String?
    }

    struct Payment: Decodable, Sendable {
        let creditCard: CreditCard?
    }

    struct PaymentProfile: Decodable, Sendable {
        let customerPaymentProfileId: AuthorizeNetText?
        let payment: Payment?
    }

    struct Profile: Decodable, Sendable {
        let customerProfileId: AuthorizeNetText?
    }

    struct ProfileIDs: Decodable, Sendable {
        let customerProfileId: AuthorizeNetText?
        let customerPaymentProfileId: AuthorizeNetText?
    }

    struct TransactionResponse: Decodable, Sendable {
        struct TransactionError: Decodable, Sendable {
            let errorCode: AuthorizeNetText
            let errorText: String
        }
        let responseCode: AuthorizeNetText?
        let transId: AuthorizeNetText?
        let errors: AuthorizeNetList<TransactionError>?
    }

    struct Order: Decodable, Sendable {
        let invoiceNumber: String?
    }

    struct Transaction: Decodable, Sendable {
        let transId: AuthorizeNetText
        let transactionType: String?
        let transactionStatus: String
        let responseReasonCode: AuthorizeNetText?
        let responseReasonDescription: String?
        let order: Order?
        let authAmount: AuthorizeNetText?
        let settleAmount: AuthorizeNetText?
        let payment: Payment?
        let profile: ProfileIDs?
    }

    struct TransactionSummary: Decodable, Sendable {
        let transId: AuthorizeNetText
        let transactionStatus: String
        let invoiceNumber: String?
    }

    let refId: String?
    let messages: Messages
    let customerProfileId: AuthorizeNetText?
    let customerPaymentProfileId: AuthorizeNetText?
    let profile: Profile?
    let paymentProfile: PaymentProfile?
    let transactionResponse: TransactionResponse?
    let transaction: Transaction?
    let transactions: AuthorizeNetList<TransactionSummary>?

    var isOK: Bool { messages.resultCode == "Ok" }
    var codes: [String] { messages.message.items.map(\.code) }
    var firstMessage: Messages.Message? { messages.message.items.first }

    /// Authorize.Net starts every answer with a UTF-8 byte order mark, which JSON parsers refuse.
    static func decode(_ body: [UInt8]) throws(GatewayError) -> AuthorizeNetResponse {
        let json = body.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(body.dropFirst(3)) : body
        do {
            return try JSONDecoder().decode(AuthorizeNetResponse.self, from: Data(json))
        } catch {
            // A 200 we cannot read: the call may have taken effect, so it is retried like a lost answer.
            throw .transient("Authorize.Net sent an answer that is not the JSON API's shape")
        }
    }
}

/// The JSON API writes a repeated XSD element as an array, but a single one is sometimes an object.
struct AuthorizeNetList<Element: Decodable & Sendable>: Decodable, Sendable {
    let items: [Element]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let many = try? container.decode([Element].self) {
            items = many
        } else {
            items = [try container.decode(Element.self)]
        }
    }
}

/// A simple XSD value, which the JSON API writes as a string or a bare number (`responseCode` is `"1"` in one
/// answer and `1` in another; amounts are numbers like `5.00`). Numbers are kept as their exact decimal text.
struct AuthorizeNetText: Decodable, Sendable, Hashable {
    let value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if let number = try? container.decode(Decimal.self) {
            value = number.description
        } else {
            value = String(try container.decode(Bool.self))
        }
    }
}
