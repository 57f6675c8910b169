import Foundation
import TollgateCore

/// Authorize.Net webhook notifications: `{notificationId, eventType, eventDate, webhookId, payload{responseCode,
/// authCode, avsResponse, authAmount, invoiceNumber, entityName, id}}`. `payload.id` is the transaction the event
/// is about (for a refund, the refund transaction; for a void, the voided payment), and `invoiceNumber` echoes the
/// reference we sent.
extension AuthorizeNetGateway {
    private struct Notification: Decodable {
        struct Payload: Decodable {
            let responseCode: AuthorizeNetText?
            let authAmount: AuthorizeNetText?
            let invoiceNumber: String?
            let entityName: String?
            let id: AuthorizeNetText?
        }
        let notificationId: String
        let eventType: String
        let eventDate: String?
        let payload: Payload?
    }

    public func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        let notification: Notification
        do {
            notification = try JSONDecoder().decode(Notification.self, from: Data(body))
        } catch {
            throw .invalidRequest(code: nil, message: "the Authorize.Net notification is not the documented JSON shape", field: "body")
        }
        let payload = notification.payload
        let transactionID = payload?.entityName == "transaction" ? payload?.id?.value : nil
        let responseCode = payload?.responseCode?.value
        let amount = try payload?.authAmount.map { (text) throws(GatewayError) in
            try WireAmount.money(decimalString: text.value, currency: accountCurrency)
        }

        var kind = GatewayEvent.Kind.other
        var payment = transactionID.map(PaymentRef.init(id:))
        var refundID: String?
        switch notification.eventType {
        case "net.authorize.payment.authcapture.created", "net.authorize.payment.capture.created",
            "net.authorize.payment.priorAuthCapture.created":
            switch responseCode {
            case "1": kind = .paymentSucceeded
            case "2", "3": kind = .paymentFailed(.init(code: responseCode, message: responseCode == "2" ? "declined" : "error"))
            default: kind = .other  // "4": held for review; the outcome follows later
            }
        case "net.authorize.payment.fraud.declined":
            kind = .paymentFailed(.init(code: responseCode, message: "declined by fraud detection"))
        case "net.authorize.payment.refund.created":
            // The refund is its own transaction; the refunded payment's id is not in the payload.
            refundID = transactionID
            payment = nil
            kind = responseCode == "1" ? .refundSucceeded : .refundFailed("responseCode \(responseCode ?? "missing")")
        case "net.authorize.payment.void.created":
            // Our refund before settlement is a void of the whole payment.
            refundID = transactionID
            kind = responseCode == "1" ? .refundSucceeded : .refundFailed("responseCode \(responseCode ?? "missing")")
        default:
            break
        }
        return [GatewayEvent(
            eventID: notification.notificationId, type: notification.eventType, kind: kind, payment: payment, refundID: refundID,
            reference: payload?.invoiceNumber, amount: amount, occurredAt: delivery.occurredAt)]
    }
}
