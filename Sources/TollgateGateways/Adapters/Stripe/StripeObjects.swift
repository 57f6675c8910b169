import Foundation
import TollgateCore

/// The parts of Stripe's API objects (API version 2023-08-16) the adapter reads.
struct StripeCustomer: Decodable {
    let id: String
    let balance: Int64?
    let currency: String?
}

struct StripePaymentMethod: Decodable {
    struct Card: Decodable {
        let brand: String?
        let last4: String?
        let expMonth: Int?
        let expYear: Int?
    }

    let id: String
    let type: String
    let customer: String?
    let card: Card?

    func stored(now: Date = Date()) -> StoredMethod {
        var expires: DateComponents?
        var status = StoredMethod.Status.active
        if let month = card?.expMonth, let year = card?.expYear {
            expires = DateComponents(year: year, month: month)
            let today = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
            if let nowYear = today.year, let nowMonth = today.month, (year, month) < (nowYear, nowMonth) {
                status = .expired
            }
        }
        // A detached PaymentMethod can never be charged again.
        if customer == nil { status = .disabled }
        let display = card.map { "\($0.brand ?? "card") •••• \($0.last4 ?? "????")" } ?? type
        return StoredMethod(ref: StoredMethodRef(id: id), status: status, display: display, expires: expires)
    }
}

struct StripePaymentIntent: Decodable {
    struct NextAction: Decodable {
        struct Redirect: Decodable { let url: String? }
        let type: String?
        let redirectToUrl: Redirect?
    }

    let id: String
    let status: String
    let amount: Int64
    let amountReceived: Int64?
    let currency: String
    let metadata: [String: String]?
    let lastPaymentError: StripeAPIError?
    let nextAction: NextAction?

    var state: PaymentState {
        switch status {
        case "succeeded": .succeeded
        case "processing", "requires_confirmation", "requires_capture": .pending
        case "requires_action": .requiresAction(nextAction?.redirectToUrl?.url.flatMap(URL.init(string:)))
        case "canceled": .canceled
        case "requires_payment_method":
            lastPaymentError.map { .declined($0.decline) } ?? .failed("the payment needs a new payment method")
        default: .failed("unknown PaymentIntent status \(status)")
        }
    }

    func outcome() throws(GatewayError) -> PaymentOutcome {
        PaymentOutcome(ref: PaymentRef(id: id), state: state, amount: try StripeMoney.money(amount, currency))
    }
}

struct StripeRefund: Decodable {
    let id: String
    let amount: Int64
    let currency: String
    let status: String?
    let paymentIntent: String?
    let failureReason: String?
    let metadata: [String: String]?

    var state: RefundOutcome.State {
        switch status {
        case "succeeded": .succeeded
        case "failed", "canceled": .failed(failureReason ?? status ?? "failed")
        default: .pending
        }
    }
}

enum StripeMoney {
    /// Stripe's integer minor units and lowercase code back to exact Money.
    static func money(_ minorUnits: Int64, _ code: String) throws(GatewayError) -> Money {
        let currency: Currency
        do {
            currency = try Currency(code.uppercased())
        } catch {
            throw .invalidAmount("Stripe answered with an unknown currency \(code)")
        }
        return try WireAmount.money(minorUnits: minorUnits, currency: currency)
    }
}
