import Foundation
import TollgateCore

/// A payment fact read from a verified webhook delivery, in vendor-neutral terms. Deliveries may arrive twice or out
/// of order: `eventID` de-duplicates, and consumers only ever move a payment forward.
public struct GatewayEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case paymentSucceeded
        case paymentFailed(GatewayError.Decline?)
        case refundSucceeded
        case refundFailed(String)
        /// Anything else the vendor sends (disputes, customer updates); recorded, not acted on.
        case other
    }

    public let eventID: String
    public let type: String
    public let kind: Kind
    public let payment: PaymentRef?
    public let refundID: String?
    /// The `reference` we sent with the charge or refund, when the vendor echoes it.
    public let reference: String?
    public let amount: Money?
    public let occurredAt: Date?

    public init(
        eventID: String, type: String, kind: Kind, payment: PaymentRef?, refundID: String? = nil, reference: String?,
        amount: Money?, occurredAt: Date?
    ) {
        self.eventID = eventID
        self.type = type
        self.kind = kind
        self.payment = payment
        self.refundID = refundID
        self.reference = reference
        self.amount = amount
        self.occurredAt = occurredAt
    }
}
