import Foundation
import TollgateCore

/// Maps the items of a verified standard notification onto payment facts. `success` is a string; AUTHORISATION
/// reports a payment (pspReference = the payment), REFUND / REFUND_FAILED a refund (pspReference = the refund,
/// originalReference = the payment). `merchantReference` is the reference we sent with the call.
enum AdyenEvents {
    static func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        guard let notification = AdyenJSON.decode(AdyenNotification.self, from: body) else {
            throw .invalidRequest(code: "webhook", message: "the Adyen notification is not the expected JSON", field: nil)
        }
        var events: [GatewayEvent] = []
        for (index, wrapper) in notification.notificationItems.enumerated() {
            let item = wrapper.notificationRequestItem
            let succeeded = item.success == "true"
            let amount = try item.amount.map(money)
            let occurredAt = index < delivery.events.count ? delivery.events[index].occurredAt : nil
            let eventID = "\(item.pspReference):\(item.eventCode)"
            switch item.eventCode {
            case "AUTHORISATION":
                events.append(
                    GatewayEvent(
                        eventID: eventID, type: item.eventCode,
                        kind: succeeded ? .paymentSucceeded : .paymentFailed(GatewayError.Decline(code: nil, message: item.reason ?? "Refused")),
                        payment: PaymentRef(id: item.pspReference), reference: item.merchantReference, amount: amount,
                        occurredAt: occurredAt))
            case "REFUND", "REFUND_FAILED":
                let kind: GatewayEvent.Kind =
                    succeeded && item.eventCode == "REFUND" ? .refundSucceeded : .refundFailed(item.reason ?? item.eventCode)
                events.append(
                    GatewayEvent(
                        eventID: eventID, type: item.eventCode, kind: kind, payment: item.originalReference.map(PaymentRef.init(id:)),
                        refundID: item.pspReference, reference: item.merchantReference, amount: amount, occurredAt: occurredAt))
            default:
                events.append(
                    GatewayEvent(
                        eventID: eventID, type: item.eventCode, kind: .other,
                        payment: PaymentRef(id: item.originalReference ?? item.pspReference), reference: item.merchantReference,
                        amount: amount, occurredAt: occurredAt))
            }
        }
        return events
    }

    static func money(_ wire: AdyenAmount) throws(GatewayError) -> Money {
        let currency: Currency
        do {
            currency = try Currency(wire.currency)
        } catch {
            throw .invalidAmount("Adyen sent an unknown currency")
        }
        return try WireAmount.money(minorUnits: wire.value, currency: currency)
    }
}
