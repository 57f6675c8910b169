import Foundation
import TollgateCore

/// Reads a verified Standard Webhooks delivery (`{type, timestamp, data}`) into vendor-neutral facts. The event's
/// identity is the `webhook-id` header the verifier already checked; the body does not repeat it. `data` is the Charge
/// or Refund, whose `reference` (ours, echoed by the backend) becomes `GatewayEvent.reference`.
enum GenericEvents {
    struct Event: Decodable {
        let type: String
        let timestamp: String?
        let data: Data
    }

    /// The union of the Charge and Refund fields we read.
    struct Data: Decodable {
        let id: String?
        let amount: GenericMoney?
        let chargeId: String?
        let status: String?
        let declineCode: String?
        let failureMessage: String?
        let reference: String?
    }

    static func event(from body: [UInt8], delivery: VerifiedWebhook) throws(GatewayError) -> GatewayEvent {
        let event: Event
        do {
            event = try GenericJSON.decoder.decode(Event.self, from: Foundation.Data(body))
        } catch {
            throw .invalidRequest(code: "webhook_payload", message: "the backend's event could not be read", field: nil)
        }
        let data = event.data
        let amount = try data.amount?.money()
        let occurredAt = event.timestamp.flatMap { RFC3339.parse($0) } ?? delivery.occurredAt
        func make(_ kind: GatewayEvent.Kind, payment: String?, refundID: String? = nil) -> GatewayEvent {
            GatewayEvent(
                eventID: delivery.eventID, type: event.type, kind: kind, payment: payment.map(PaymentRef.init),
                refundID: refundID, reference: data.reference, amount: amount, occurredAt: occurredAt)
        }
        switch event.type {
        case "charge.succeeded":
            return make(.paymentSucceeded, payment: data.id)
        case "charge.failed":
            let decline = data.declineCode.map { GatewayError.Decline(code: $0, message: data.failureMessage ?? "declined") }
            return make(.paymentFailed(decline), payment: data.id)
        case "refund.succeeded":
            return make(.refundSucceeded, payment: data.chargeId, refundID: data.id)
        case "refund.failed":
            return make(.refundFailed(data.failureMessage ?? "failed"), payment: data.chargeId, refundID: data.id)
        default:
            return make(.other, payment: data.chargeId)
        }
    }
}
