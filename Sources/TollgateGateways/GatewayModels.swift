import Foundation
import TollgateCore

/// The vendor's id of a customer (Stripe `cus_…`, Square customer id, PayPal vault customer, …).
public struct CustomerRef: Sendable, Hashable, Codable {
    public let id: String
    public init(id: String) { self.id = id }
}

/// The vendor's id of a saved payment method.
public struct StoredMethodRef: Sendable, Hashable, Codable {
    public let id: String
    public init(id: String) { self.id = id }
}

/// The vendor's id of a payment (charge, order capture, transaction).
public struct PaymentRef: Sendable, Hashable, Codable {
    public let id: String
    public init(id: String) { self.id = id }
}

public struct CreateCustomer: Sendable, Hashable {
    /// Our id of the paying party (the crawler operator), stored as vendor metadata so records can be matched up.
    public let ownerID: UUID
    public let email: String
    public let name: String
    public init(ownerID: UUID, email: String, name: String) {
        self.ownerID = ownerID
        self.email = email
        self.name = name
    }
}

/// Attach a token produced by the vendor's client-side flow (Stripe PaymentMethod, Square card nonce, Braintree
/// nonce, PayPal vault setup token, Adyen stored details, Authorize.Net opaque data).
public struct AttachPaymentMethod: Sendable, Hashable {
    public let customer: CustomerRef
    public let token: String
    public init(customer: CustomerRef, token: String) {
        self.customer = customer
        self.token = token
    }
}

public struct StoredMethod: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable { case active, expired, disabled }
    public let ref: StoredMethodRef
    public let status: Status
    /// e.g. "visa •••• 4242"; never the full number.
    public let display: String
    public let expires: DateComponents?
    public init(ref: StoredMethodRef, status: Status, display: String, expires: DateComponents?) {
        self.ref = ref
        self.status = status
        self.display = display
        self.expires = expires
    }
}

public struct ChargeRequest: Sendable, Hashable {
    public let customer: CustomerRef
    public let method: StoredMethodRef
    /// Aggregated top-up amounts only; per-crawl prices never reach a gateway.
    public let amount: Money
    public let description: String
    /// Our id for the payment, sent as vendor metadata (Stripe metadata, PayPal custom_id, Adyen merchant reference,
    /// Square reference_id, Authorize.Net invoice number) so webhooks can be matched even when the response was
    /// lost. At most 20 characters of [A-Z0-9] (Authorize.Net's invoice-number limit).
    public let reference: String
    public init(customer: CustomerRef, method: StoredMethodRef, amount: Money, description: String, reference: String) {
        self.customer = customer
        self.method = method
        self.amount = amount
        self.description = description
        self.reference = reference
    }
}

public struct RefundRequest: Sendable, Hashable {
    public let payment: PaymentRef
    public let amount: Money
    public let reason: String
    /// Our id for the refund (same rules as `ChargeRequest.reference`).
    public let reference: String
    public init(payment: PaymentRef, amount: Money, reason: String, reference: String) {
        self.payment = payment
        self.amount = amount
        self.reason = reason
        self.reference = reference
    }
}

public enum PaymentState: Sendable, Hashable {
    case succeeded
    /// Not final yet; resolve with `paymentStatus` or the vendor's webhook.
    case pending
    case requiresAction(URL?)
    case declined(GatewayError.Decline)
    case failed(String)
    case canceled
}

public struct PaymentOutcome: Sendable, Hashable {
    public let ref: PaymentRef
    public let state: PaymentState
    public let amount: Money
    public init(ref: PaymentRef, state: PaymentState, amount: Money) {
        self.ref = ref
        self.state = state
        self.amount = amount
    }
}

public struct RefundOutcome: Sendable, Hashable {
    public enum State: Sendable, Hashable { case succeeded, pending, failed(String) }
    public let id: String
    public let state: State
    public let amount: Money
    public init(id: String, state: State, amount: Money) {
        self.id = id
        self.state = state
        self.amount = amount
    }
}
