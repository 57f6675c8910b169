import Foundation
import TollgateCore

/// Reads the payment facts out of a verified PayPal webhook: `event_type` plus the `resource` (a capture or a
/// refund) carrying `custom_id` (our reference), the amount and, for refunds, the capture in the `up` link.
enum PayPalEvents {
    private struct Envelope: Decodable {
        struct Resource: Decodable {
            struct ProcessorResponse: Decodable { let response_code: String? }
            struct StatusDetails: Decodable { let reason: String? }
            let id: String?
            let status: String?
            let custom_id: String?
            let amount: PayPalMoney?
            let links: [PayPalLink]?
            let processor_response: ProcessorResponse?
            let status_details: StatusDetails?
        }
        let event_type: String
        let resource: Resource?
    }

    static func parse(_ delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        let envelope: Envelope
        do { envelope = try JSONDecoder().decode(Envelope.self, from: Data(body)) } catch {
            throw .invalidRequest(code: nil, message: "the PayPal webhook body is not an event", field: nil)
        }
        let resource = envelope.resource
        let amount = try resource?.amount?.money()
        func event(_ kind: GatewayEvent.Kind, payment: String?, refundID: String? = nil) -> GatewayEvent {
            GatewayEvent(
                eventID: delivery.eventID, type: envelope.event_type, kind: kind, payment: payment.map(PaymentRef.init(id:)),
                refundID: refundID, reference: resource?.custom_id, amount: amount, occurredAt: delivery.occurredAt)
        }
        switch envelope.event_type {
        case "PAYMENT.CAPTURE.COMPLETED":
            return [event(.paymentSucceeded, payment: resource?.id)]
        case "PAYMENT.CAPTURE.DECLINED", "PAYMENT.CAPTURE.DENIED":
            let code = resource?.processor_response?.response_code ?? resource?.status_details?.reason ?? resource?.status
            let decline = GatewayError.Decline(code: code, message: "PayPal reported the capture \(resource?.status ?? "declined")")
            return [event(.paymentFailed(decline), payment: resource?.id)]
        case "PAYMENT.CAPTURE.REFUNDED":
            // The resource is the refund; its `up` link names the capture it refunds.
            let capture = resource?.links?.first { $0.rel == "up" }.flatMap { URL(string: $0.href)?.lastPathComponent }
            if resource?.status == "FAILED" || resource?.status == "CANCELLED" {
                return [event(.refundFailed(resource?.status_details?.reason ?? "refund \(resource?.status ?? "failed")"),
                              payment: capture, refundID: resource?.id)]
            }
            return [event(.refundSucceeded, payment: capture, refundID: resource?.id)]
        default:
            return [event(.other, payment: nil)]
        }
    }
}
