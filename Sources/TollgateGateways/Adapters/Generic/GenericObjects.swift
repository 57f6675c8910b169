import Foundation
import TollgateCore

/// The contract's objects (docs/generic-gateway.openapi.json, components.schemas).
struct GenericMoney: Codable, Hashable {
    let amountMinor: Int64
    let currency: String

    init(_ money: Money) throws(GatewayError) {
        amountMinor = try WireAmount.minorUnits(money)
        currency = money.currency.code
    }

    func money() throws(GatewayError) -> Money {
        let parsed: Currency
        do {
            parsed = try Currency(currency)
        } catch {
            throw .invalidAmount("the backend answered with an unknown currency \(currency)")
        }
        return try WireAmount.money(minorUnits: amountMinor, currency: parsed)
    }
}

struct GenericCustomerRequest: Encodable {
    let email: String
    let name: String
    let metadata: [String: String]
}

struct GenericCustomer: Decodable {
    let id: String
}

struct GenericPaymentMethodRequest: Encodable {
    let token: String
}

struct GenericPaymentMethod: Decodable {
    let id: String
    let status: String
    let display: String
    let expires: String?

    func stored() -> StoredMethod {
        var components: DateComponents?
        let parts = expires?.split(separator: "-") ?? []
        if parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]) {
            components = DateComponents(year: year, month: month)
        }
        return StoredMethod(
            ref: StoredMethodRef(id: id), status: StoredMethod.Status(rawValue: status) ?? .disabled, display: display,
            expires: components)
    }
}

struct GenericBalance: Decodable {
    let available: GenericMoney
}

struct GenericChargeRequest: Encodable {
    let customerId: String
    let paymentMethodId: String
    let amount: GenericMoney
    let description: String
    /// `ChargeRequest.reference`, echoed in the Charge and its events.
    let reference: String
}

struct GenericCharge: Decodable {
    let id: String
    let status: String
    let amount: GenericMoney
    let declineCode: String?
    let failureMessage: String?
    let nextActionUrl: String?
    /// The reference sent when the charge was created (required by the contract; optional here so a lax backend's
    /// answer still resolves the payment).
    let reference: String?

    var decline: GatewayError.Decline {
        GatewayError.Decline(code: declineCode, message: failureMessage ?? "declined")
    }

    var state: PaymentState {
        switch status {
        case "succeeded": .succeeded
        case "pending": .pending
        case "requires_action": .requiresAction(nextActionUrl.flatMap(URL.init(string:)))
        case "declined": .declined(decline)
        case "canceled": .canceled
        default: .failed(failureMessage ?? status)
        }
    }

    func outcome() throws(GatewayError) -> PaymentOutcome {
        PaymentOutcome(ref: PaymentRef(id: id), state: state, amount: try amount.money())
    }
}

struct GenericRefundRequest: Encodable {
    let amount: GenericMoney
    let reason: String
    /// `RefundRequest.reference`, echoed in the Refund and its events.
    let reference: String
}

struct GenericRefund: Decodable {
    let id: String
    let chargeId: String
    let status: String
    let amount: GenericMoney
    let failureMessage: String?
    let reference: String?

    var state: RefundOutcome.State {
        switch status {
        case "succeeded": .succeeded
        case "pending": .pending
        default: .failed(failureMessage ?? status)
        }
    }
}
