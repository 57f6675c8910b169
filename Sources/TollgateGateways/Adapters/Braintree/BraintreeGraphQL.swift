import Foundation
import TollgateCore

/// The GraphQL documents we send. Every mutation takes one `input` variable; selections ask only for what we read.
enum BraintreeGraphQL {
    static let paymentMethodFields =
        "id usage details { __typename ... on CreditCardDetails { brandCode last4 expirationMonth expirationYear } ... on PayPalAccountDetails { email } }"
    static let transactionFields =
        "id status amount { value currencyCode } orderId processorResponse { legacyCode message }"

    static let createCustomer =
        "mutation CreateCustomer($input: CreateCustomerInput) { createCustomer(input: $input) { customer { id } } }"
    static let vaultPaymentMethod =
        "mutation VaultPaymentMethod($input: VaultPaymentMethodInput!) { vaultPaymentMethod(input: $input) { paymentMethod { \(paymentMethodFields) } } }"
    static let paymentMethod =
        "query PaymentMethod($id: ID!) { node(id: $id) { __typename ... on PaymentMethod { \(paymentMethodFields) } } }"
    static let chargePaymentMethod =
        "mutation ChargePaymentMethod($input: ChargePaymentMethodInput!) { chargePaymentMethod(input: $input) { transaction { \(transactionFields) } } }"
    static let refundTransaction =
        "mutation RefundTransaction($input: RefundTransactionInput!) { refundTransaction(input: $input) { refund { id status amount { value currencyCode } orderId } } }"
    static let transaction =
        "query Transaction($id: ID!) { node(id: $id) { __typename ... on Transaction { \(transactionFields) } } }"

    struct Request<Variables: Encodable>: Encodable {
        let query: String
        let variables: Variables
    }

    struct Input<Value: Encodable>: Encodable { let input: Value }
    struct ID: Encodable { let id: String }

    struct CreateCustomerInput: Encodable {
        struct Customer: Encodable {
            let email: String
            let company: String
        }
        let customer: Customer
    }

    struct VaultPaymentMethodInput: Encodable {
        let paymentMethodId: String
        let customerId: String
    }

    struct ChargePaymentMethodInput: Encodable {
        struct Transaction: Encodable {
            let amount: String
            let merchantAccountId: String?
            let orderId: String
            let customerId: String
            let paymentInitiator: String
        }
        let paymentMethodId: String
        let transaction: Transaction
        /// Documented in Braintree's API reference but absent from the published SDL (gateways reference §3).
        let apiRequestKey: String
    }

    struct RefundTransactionInput: Encodable {
        struct Refund: Encodable {
            let amount: String
            let orderId: String
            let merchantAccountId: String?
        }
        let transactionId: String
        let refund: Refund
        let apiRequestKey: String
    }

    // MARK: answers

    struct Response<Payload: Decodable>: Decodable {
        let data: Payload?
        let errors: [Error]?
    }

    struct Error: Decodable {
        struct Extensions: Decodable {
            let errorClass: String?
            let legacyCode: String?
            let inputPath: [String]?
        }
        let message: String?
        let extensions: Extensions?
    }

    struct MonetaryAmount: Decodable {
        let value: String
        let currencyCode: String

        func money() throws(GatewayError) -> Money {
            let currency: Currency
            do { currency = try Currency(currencyCode) } catch { throw .invalidAmount("Braintree sent the currency \"\(currencyCode)\"") }
            return try WireAmount.money(decimalString: value, currency: currency)
        }
    }

    struct PaymentMethod: Decodable {
        struct Details: Decodable {
            let __typename: String?
            let brandCode: String?
            let last4: String?
            let expirationMonth: String?
            let expirationYear: String?
            let email: String?
        }
        let id: String
        let usage: String?
        let details: Details?
    }

    struct Transaction: Decodable {
        struct ProcessorResponse: Decodable {
            let legacyCode: String?
            let message: String?
        }
        let id: String
        let status: String
        let amount: MonetaryAmount?
        let orderId: String?
        let processorResponse: ProcessorResponse?
    }

    struct Refund: Decodable {
        let id: String
        let status: String
        let amount: MonetaryAmount?
    }

    struct CreateCustomerPayload: Decodable {
        struct Payload: Decodable {
            struct Customer: Decodable { let id: String }
            let customer: Customer?
        }
        let createCustomer: Payload?
    }

    struct VaultPayload: Decodable {
        struct Payload: Decodable { let paymentMethod: PaymentMethod? }
        let vaultPaymentMethod: Payload?
    }

    struct ChargePayload: Decodable {
        struct Payload: Decodable { let transaction: Transaction? }
        let chargePaymentMethod: Payload?
    }

    struct RefundPayload: Decodable {
        struct Payload: Decodable { let refund: Refund? }
        let refundTransaction: Payload?
    }

    struct NodePayload<Node: Decodable>: Decodable { let node: Node? }
}

enum BraintreeErrors {
    /// Braintree's idempotency errors (`apiRequestKey` reused with other input, or while the first call runs).
    static let idempotencyCodes = 915_230...915_235

    /// The first GraphQL error, in our taxonomy. Braintree answers most failures with HTTP 200 and `errors`.
    static func map(_ error: BraintreeGraphQL.Error, response: GatewayHTTPResponse) -> GatewayError {
        let message = error.message ?? "Braintree refused the request"
        let code = error.extensions?.legacyCode
        switch error.extensions?.errorClass {
        case "AUTHENTICATION": return .authentication
        case "AUTHORIZATION": return .permissionDenied
        case "NOT_FOUND": return .notFound
        case "RESOURCE_LIMIT": return .rateLimited(retryAfter: response.retryAfter)
        case "INTERNAL", "SERVICE_AVAILABILITY": return .transient("Braintree \(error.extensions?.errorClass ?? ""): \(message)")
        default: break
        }
        if let number = code.flatMap(Int.init) {
            if idempotencyCodes.contains(number) { return .idempotencyConflict }
            // Processor response codes 2000–3000 are declines (Braintree's processor response table).
            if (2000...3000).contains(number) { return .declined(.init(code: code, message: message)) }
        }
        return .invalidRequest(code: code ?? error.extensions?.errorClass, message: message, field: error.extensions?.inputPath?.joined(separator: "."))
    }

    static func map(status response: GatewayHTTPResponse) -> GatewayError {
        if let body = try? JSONDecoder().decode(BraintreeGraphQL.Response<EmptyPayload>.self, from: Data(response.body)),
            let first = body.errors?.first, response.status < 500, response.status != 429
        {
            return map(first, response: response)
        }
        return .forStatus(response.status, retryAfter: response.retryAfter, message: "Braintree answered HTTP \(response.status)")
    }

    struct EmptyPayload: Decodable {}
}
