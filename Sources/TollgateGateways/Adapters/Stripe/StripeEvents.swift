import Foundation
import TollgateCore

/// Reads a verified Stripe event (`{id, type, created, data: {object}}`) into vendor-neutral facts.
/// PaymentIntent events carry the payment; `refund.*` events carry the refund itself. `charge.refunded` repeats
/// what `refund.created` says, so it is recorded as `.other` rather than counted twice.
enum StripeEvents {
    struct Event: Decodable {
        struct Data: Decodable { let object: Object }
        let id: String
        let type: String
        let created: Int64?
        let data: Data
    }

    /// The union of the PaymentIntent and Refund fields we read.
    struct Object: Decodable {
        let id: String?
        let object: String?
        let amount: Int64?
        let amountReceived: Int64?
        let currency: String?
        let status: String?
        let metadata: [String: String]?
        let lastPaymentError: StripeAPIError?
        let paymentIntent: String?
        let failureReason: String?
    }

    static func event(from body: [UInt8]) throws(GatewayError) -> GatewayEvent {
        let event: Event
        do {
            event = try StripeJSON.decoder.decode(Event.self, from: Foundation.Data(body))
        } catch {
            throw .invalidRequest(code: "webhook_payload", message: "the Stripe event could not be read", field: nil)
        }
        let object = event.data.object
        let occurredAt = event.created.map { Date(timeIntervalSince1970: Double($0)) }
        let reference = object.metadata?[StripeGateway.referenceKey]

        func money(_ minor: Int64?) throws(GatewayError) -> Money? {
            guard let minor, let currency = object.currency else { return nil }
            return try StripeMoney.money(minor, currency)
        }

        switch (event.type, object.object) {
        case ("payment_intent.succeeded", "payment_intent"):
            return GatewayEvent(
                eventID: event.id, type: event.type, kind: .paymentSucceeded, payment: object.id.map(PaymentRef.init),
                reference: reference, amount: try money(object.amountReceived ?? object.amount), occurredAt: occurredAt)
        case ("payment_intent.payment_failed", "payment_intent"):
            return GatewayEvent(
                eventID: event.id, type: event.type, kind: .paymentFailed(object.lastPaymentError?.decline),
                payment: object.id.map(PaymentRef.init), reference: reference, amount: try money(object.amount),
                occurredAt: occurredAt)
        case ("refund.created", "refund"), ("refund.updated", "refund"), ("charge.refund.updated", "refund"):
            let kind: GatewayEvent.Kind
            switch object.status {
            case "succeeded": kind = .refundSucceeded
            case "failed", "canceled": kind = .refundFailed(object.failureReason ?? object.status ?? "failed")
            default: kind = .other
            }
            return GatewayEvent(
                eventID: event.id, type: event.type, kind: kind, payment: object.paymentIntent.map(PaymentRef.init),
                refundID: object.id, reference: reference, amount: try money(object.amount), occurredAt: occurredAt)
        default:
            let payment = object.object == "payment_intent" ? object.id : object.paymentIntent
            return GatewayEvent(
                eventID: event.id, type: event.type, kind: .other, payment: payment.map(PaymentRef.init),
                reference: reference, amount: nil, occurredAt: occurredAt)
        }
    }
}
