import Foundation
import TollgateCore

/// PayPal's `money` object: a decimal string in major units (gateways reference §2).
struct PayPalMoney: Codable, Sendable {
    let currency_code: String
    let value: String

    /// PayPal writes HUF and TWD without decimals although ISO 4217 gives them two.
    static let exponentOverrides = ["HUF": 0, "TWD": 0]

    init(_ money: Money) throws(GatewayError) {
        currency_code = money.currency.code
        value = try WireAmount.decimalString(money, overrides: Self.exponentOverrides)
    }

    func money() throws(GatewayError) -> Money {
        let currency: Currency
        do { currency = try Currency(currency_code) } catch { throw .invalidAmount("PayPal sent the currency \"\(currency_code)\"") }
        return try WireAmount.money(decimalString: value, currency: currency, overrides: Self.exponentOverrides)
    }
}

struct PayPalLink: Codable, Sendable {
    let href: String
    let rel: String
}

struct PayPalAccessToken: Decodable {
    let access_token: String
    let token_type: String?
    let expires_in: Int
}

// MARK: vault v3

struct PayPalPaymentTokenRequest: Encodable {
    struct Customer: Encodable { let id: String }
    struct Source: Encodable { let token: Token }
    struct Token: Encodable {
        let id: String
        let type: String
    }
    let customer: Customer
    let payment_source: Source
}

struct PayPalPaymentToken: Decodable {
    struct Customer: Decodable { let id: String }
    struct Card: Decodable {
        let brand: String?
        let last_digits: String?
        let expiry: String?
    }
    struct Wallet: Decodable { let email_address: String? }
    struct Source: Decodable {
        let card: Card?
        let paypal: Wallet?
        let venmo: Wallet?
    }
    let id: String
    let customer: Customer?
    let payment_source: Source?
}

// MARK: orders v2 and payments v2

struct PayPalOrderRequest: Encodable {
    struct StoredCredential: Encodable {
        let payment_initiator: String
        let payment_type: String
        let usage: String
    }
    struct Card: Encodable {
        let vault_id: String
        let stored_credential: StoredCredential
    }
    struct Wallet: Encodable { let vault_id: String }
    struct Source: Encodable {
        var card: Card?
        var paypal: Wallet?
        var venmo: Wallet?
    }
    struct Unit: Encodable {
        let reference_id: String
        let custom_id: String
        let description: String?
        let amount: PayPalMoney
    }
    let intent: String
    let payment_source: Source
    let purchase_units: [Unit]
}

struct PayPalCapture: Decodable {
    struct ProcessorResponse: Decodable { let response_code: String? }
    struct StatusDetails: Decodable { let reason: String? }
    let id: String
    let status: String
    let amount: PayPalMoney?
    let custom_id: String?
    let processor_response: ProcessorResponse?
    let status_details: StatusDetails?
}

struct PayPalOrder: Decodable {
    struct Unit: Decodable {
        struct Payments: Decodable { let captures: [PayPalCapture]? }
        let amount: PayPalMoney?
        let payments: Payments?
    }
    let id: String
    let status: String
    let purchase_units: [Unit]?
    let links: [PayPalLink]?
}

struct PayPalRefundRequest: Encodable {
    let amount: PayPalMoney
    let custom_id: String
    let note_to_payer: String?
}

struct PayPalRefund: Decodable {
    struct StatusDetails: Decodable { let reason: String? }
    let id: String
    let status: String
    let amount: PayPalMoney?
    let custom_id: String?
    let status_details: StatusDetails?
    let links: [PayPalLink]?
}

enum PayPalJSON {
    static func encode(_ value: some Encodable) throws(GatewayError) -> [UInt8] {
        // Sorted keys: a retry sends byte-identical JSON under the same PayPal-Request-Id.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(value)) } catch {
            throw .invalidRequest(code: nil, message: "could not encode the PayPal request", field: nil)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(GatewayError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch {
            throw .transient("PayPal answered with an unreadable \(T.self)")
        }
    }
}
