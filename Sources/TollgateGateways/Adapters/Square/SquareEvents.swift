import Foundation
import TollgateCore

/// Maps verified Square notifications onto payment facts. Payments echo our `reference_id`; RefundPayment has no
/// reference field, so the adapter ends the refund `reason` with "[REFERENCE]" and reads it back from there.
enum SquareEvents {
    static func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        guard let notification = SquareJSON.decode(SquareNotification.self, from: body) else {
            throw .invalidRequest(code: "webhook", message: "the Square notification is not the expected JSON", field: nil)
        }
        let object = notification.data?.object
        if notification.type.hasPrefix("payment."), let payment = object?.payment {
            let kind: GatewayEvent.Kind =
                switch payment.status {
                case "COMPLETED": .paymentSucceeded
                case "FAILED": .paymentFailed(SquareErrors.decline(payment, errors: nil))
                default: .other
                }
            return [
                GatewayEvent(
                    eventID: notification.eventId, type: notification.type, kind: kind, payment: PaymentRef(id: payment.id),
                    reference: payment.referenceId, amount: try payment.amountMoney.map(money), occurredAt: delivery.occurredAt)
            ]
        }
        if notification.type.hasPrefix("refund."), let refund = object?.refund {
            let kind: GatewayEvent.Kind =
                switch refund.status {
                case "COMPLETED": .refundSucceeded
                case "FAILED", "REJECTED": .refundFailed(refund.status ?? "FAILED")
                default: .other
                }
            return [
                GatewayEvent(
                    eventID: notification.eventId, type: notification.type, kind: kind,
                    payment: refund.paymentId.map(PaymentRef.init(id:)), refundID: refund.id, reference: reference(inReason: refund.reason),
                    amount: try refund.amountMoney.map(money), occurredAt: delivery.occurredAt)
            ]
        }
        return [
            GatewayEvent(
                eventID: notification.eventId, type: notification.type, kind: .other, payment: nil, reference: nil,
                amount: nil, occurredAt: delivery.occurredAt)
        ]
    }

    /// The "[REFERENCE]" suffix `SquareGateway.refund` appends to the reason, if present and well-formed.
    static func reference(inReason reason: String?) -> String? {
        guard let reason, reason.hasSuffix("]"), let open = reason.lastIndex(of: "[") else { return nil }
        let inner = reason[reason.index(after: open)..<reason.index(before: reason.endIndex)]
        guard (1...20).contains(inner.count), inner.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) else {
            return nil
        }
        return String(inner)
    }

    static func money(_ wire: SquareMoney) throws(GatewayError) -> Money {
        let currency: Currency
        do {
            currency = try Currency(wire.currency)
        } catch {
            throw .invalidAmount("Square sent an unknown currency")
        }
        return try WireAmount.money(minorUnits: wire.amount, currency: currency)
    }
}
