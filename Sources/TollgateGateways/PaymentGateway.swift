import TollgateCore

/// The seam in front of every payment vendor. Callers record the ledger entry and its idempotency key before
/// calling, and retry with the same key after `GatewayError.isRetryable` errors or an ambiguous outcome.
public protocol PaymentGateway: Sendable {
    var kind: GatewayKind { get }
    var capabilities: GatewayCapabilities { get }
    func createCustomer(_ request: CreateCustomer, key: IdempotencyKey) async throws(GatewayError) -> CustomerRef
    func attachPaymentMethod(_ request: AttachPaymentMethod, key: IdempotencyKey) async throws(GatewayError) -> StoredMethod
    func paymentMethod(_ ref: StoredMethodRef) async throws(GatewayError) -> StoredMethod
    func charge(_ request: ChargeRequest, key: IdempotencyKey) async throws(GatewayError) -> PaymentOutcome
    func refund(_ request: RefundRequest, key: IdempotencyKey) async throws(GatewayError) -> RefundOutcome
    /// Throws `.unsupported` where the vendor has no lookup (Adyen): resolve by webhook instead.
    func paymentStatus(_ ref: PaymentRef) async throws(GatewayError) -> PaymentOutcome
    /// The vendor-held customer balance; throws `.unsupported` unless `capabilities` has `.customerBalance`.
    func balance(of customer: CustomerRef) async throws(GatewayError) -> Money
    /// The payment facts in a delivery that `WebhookVerifier` accepted; `body` is the same raw body.
    func events(in delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent]
}
