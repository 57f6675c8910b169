import Foundation
import HTTPTypes
import TollgateCore
import TollgateGateways

extension PaymentError {
    var problem: Problem {
        switch self {
        case .gatewayNameTaken(let name): Problem.conflict("gateway-name-taken", "A gateway named \(name) exists; choose another name.")
        case .unknownGateway(let name): Problem.notFound("Payment gateway \(name)")
        case .methodOwnedElsewhere: Problem.conflict("payment-method-taken", "This payment method is attached to another crawler operator.")
        case .requestKeyReused: Problem.conflict("idempotency-key-reused", "This Idempotency-Key was already used for a different request.")
        case .refundExceedsPayment(let refundable):
            Problem(.unprocessableContent, "refund-exceeds-payment", title: "Refund too large",
                    detail: "A refund cannot exceed what the top-up paid; \(refundable) of it can still be refunded.")
        case .insufficientFunds(let available):
            Problem.conflict("insufficient-funds", "Only unused balance is refunded; \(available) is available.")
        case .payoutExceedsEarnings(let available):
            Problem.conflict("payout-exceeds-earnings", "The tenant's earnings balance is \(available).")
        case .payoutPeriodTaken: Problem.conflict("payout-exists", "A payout for this tenant, currency and period was already recorded.")
        case .unknownPaymentMethod: Problem.invalid(field: "payment_method_id", "is not one of your payment methods")
        case .paymentMethodUnusable(let status):
            Problem.invalid(field: "payment_method_id", "the payment method is \(status); attach another one")
        case .currencyMismatch(let currency): Problem.invalid(field: "amount.currency", "must be the account's currency, \(currency.code)")
        case .belowMinimum(let minimum): Problem.invalid(field: "amount.micros", "the gateway's smallest top-up is \(minimum)")
        case .aboveMaximum(let maximum): Problem.invalid(field: "amount.micros", "a top-up is at most \(maximum)")
        case .unknownTopUp: Problem.invalid(field: "top_up_id", "is not a top-up of this account")
        case .unknownRefund: Problem.notFound("Refund")
        case .nothingToRefund:
            Problem(.unprocessableContent, "refund-exceeds-payment", title: "Refund too large",
                    detail: "No single top-up of this account has that much left to refund; refund less, or name a top_up_id.")
        }
    }
}

extension GatewayError {
    /// What a caller sees when the vendor refused or failed; descriptions never carry credentials.
    var problem: Problem {
        switch self {
        case .declined(let decline):
            Problem(.init(code: 402, reasonPhrase: "Payment Required"), "payment-declined", title: "Payment declined",
                    detail: "The payment method was declined\(decline.code.map { " (\($0))" } ?? ""): \(decline.message). Nothing was charged.")
        case .invalidRequest(_, _, let field) where field?.hasPrefix("credentials.") == true:
            Problem.invalid(field: field!, description)
        case .invalidRequest:
            Problem(.unprocessableContent, "gateway-refused", title: "The payment gateway refused the request", detail: description)
        case .rateLimited, .transient:
            Problem(.badGateway, "gateway-unavailable", title: "The payment gateway did not answer", detail: "\(description). Try again later.")
        default:
            Problem(.badGateway, "gateway-error", title: "The payment gateway failed", detail: description)
        }
    }
}
