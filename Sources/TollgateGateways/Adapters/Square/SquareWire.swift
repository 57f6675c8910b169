import Foundation

/// Square's JSON shapes (Square-Version 2025-08-20), only the fields Tollgate sends or reads. Property names are
/// camelCase here and snake_case on the wire (`SquareJSON` converts both ways).
struct SquareMoney: Codable, Sendable, Hashable {
    let amount: Int64
    let currency: String
}

struct SquareCreateCustomerRequest: Encodable {
    let idempotencyKey: String
    let companyName: String
    let emailAddress: String
    let referenceId: String
}

struct SquareCreateCardRequest: Encodable {
    struct Card: Encodable {
        let customerId: String
    }
    let idempotencyKey: String
    let sourceId: String
    let card: Card
}

struct SquareCreatePaymentRequest: Encodable {
    let idempotencyKey: String
    let sourceId: String
    let amountMoney: SquareMoney
    let customerId: String
    let locationId: String?
    let referenceId: String
    let note: String
    let autocomplete: Bool
}

struct SquareRefundPaymentRequest: Encodable {
    let idempotencyKey: String
    let amountMoney: SquareMoney
    let paymentId: String
    let reason: String
}

struct SquareErrorItem: Decodable, Sendable {
    let category: String?
    let code: String?
    let detail: String?
    let field: String?
}

struct SquareCustomer: Decodable {
    let id: String
}

struct SquareCard: Decodable {
    let id: String
    let cardBrand: String?
    let last4: String?
    let expMonth: Int?
    let expYear: Int?
    let enabled: Bool?
}

struct SquareCardDetails: Decodable {
    let status: String?
    let errors: [SquareErrorItem]?
}

struct SquarePayment: Decodable {
    let id: String
    let status: String?
    let amountMoney: SquareMoney?
    let referenceId: String?
    let cardDetails: SquareCardDetails?
}

struct SquareRefund: Decodable {
    let id: String
    let status: String?
    let amountMoney: SquareMoney?
    let paymentId: String?
    let reason: String?
}

/// Every answer is this envelope: the object asked for, `errors` on failure, and sometimes both (a failed payment).
struct SquareEnvelope: Decodable {
    let errors: [SquareErrorItem]?
    let customer: SquareCustomer?
    let card: SquareCard?
    let payment: SquarePayment?
    let refund: SquareRefund?
}

/// A webhook notification: `{merchant_id, type, event_id, created_at, data: {type, id, object: {payment|refund}}}`.
struct SquareNotification: Decodable {
    struct Data: Decodable {
        struct Object: Decodable {
            let payment: SquarePayment?
            let refund: SquareRefund?
        }
        let type: String?
        let id: String?
        let object: Object?
    }
    let eventId: String
    let type: String
    let data: Data?
}

enum SquareJSON {
    static func encode(_ value: some Encodable) throws(GatewayError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .invalidRequest(code: "encoding", message: "the Square request could not be encoded", field: nil)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) -> T? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(type, from: Data(body))
    }
}
