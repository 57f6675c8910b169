import Foundation

/// Adyen Checkout v71 JSON shapes, only the fields Tollgate sends or reads (names exactly as on the wire).
struct AdyenAmount: Codable, Sendable, Hashable {
    let currency: String
    let value: Int64
}

struct AdyenStoredCard: Encodable {
    let type = "scheme"
    let storedPaymentMethodId: String
}

/// A merchant-initiated charge of a stored card (gateways reference §5).
struct AdyenPaymentRequest: Encodable {
    let amount: AdyenAmount
    let merchantAccount: String
    let reference: String
    /// Required by the spec even though a ContAuth charge never redirects.
    let returnUrl: String
    let paymentMethod: AdyenStoredCard
    let shopperReference: String
    let shopperInteraction = "ContAuth"
    let recurringProcessingModel = "UnscheduledCardOnFile"
}

struct AdyenRefundRequest: Encodable {
    let amount: AdyenAmount
    let merchantAccount: String
    let reference: String
}

struct AdyenAction: Decodable {
    let url: String?
}

struct AdyenPaymentResponse: Decodable {
    let pspReference: String?
    let resultCode: String?
    let refusalReason: String?
    let refusalReasonCode: String?
    let merchantReference: String?
    let amount: AdyenAmount?
    let action: AdyenAction?
}

struct AdyenRefundResponse: Decodable {
    let pspReference: String
    let paymentPspReference: String?
    let status: String
    let reference: String?
    let amount: AdyenAmount?
}

struct AdyenStoredPaymentMethod: Decodable {
    let id: String
    let brand: String?
    let lastFour: String?
    let expiryMonth: String?
    let expiryYear: String?
    let shopperReference: String?
}

struct AdyenStoredPaymentMethods: Decodable {
    let storedPaymentMethods: [AdyenStoredPaymentMethod]?
}

/// `ServiceError`, the body of Adyen's 4xx/5xx answers.
struct AdyenServiceError: Decodable {
    let status: Int?
    let errorCode: String?
    let message: String?
    let errorType: String?
}

/// A standard notification: `{"live": "false", "notificationItems": [{"NotificationRequestItem": {…}}]}`.
struct AdyenNotification: Decodable {
    struct Wrapper: Decodable {
        let notificationRequestItem: Item
        enum CodingKeys: String, CodingKey { case notificationRequestItem = "NotificationRequestItem" }
    }
    struct Item: Decodable {
        let eventCode: String
        let success: String
        let pspReference: String
        let originalReference: String?
        let merchantReference: String?
        let amount: AdyenAmount?
        let reason: String?
    }
    let notificationItems: [Wrapper]
}

enum AdyenJSON {
    static func encode(_ value: some Encodable) throws(GatewayError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .invalidRequest(code: "encoding", message: "the Adyen request could not be encoded", field: nil)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(body))
    }
}
