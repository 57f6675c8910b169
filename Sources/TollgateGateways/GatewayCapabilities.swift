/// What a gateway can do beyond charging, so callers pick a strategy (status lookup or webhooks, synchronous or
/// asynchronous refunds) instead of discovering limits by failing.
public struct GatewayCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The vendor keeps a balance per customer (Stripe customer balance; our generic contract).
    public static let customerBalance = GatewayCapabilities(rawValue: 1 << 0)
    /// A payment's state can be looked up after an ambiguous outcome (all but Adyen, which reports by webhook).
    public static let paymentStatusLookup = GatewayCapabilities(rawValue: 1 << 1)
    /// A refund's result is known when the call returns (Adyen confirms refunds by webhook).
    public static let synchronousRefund = GatewayCapabilities(rawValue: 1 << 2)
    /// The vendor de-duplicates requests by an idempotency key (not Authorize.Net).
    public static let nativeIdempotency = GatewayCapabilities(rawValue: 1 << 3)
    /// A saved payment method's status and expiry can be read back.
    public static let paymentMethodLookup = GatewayCapabilities(rawValue: 1 << 4)

    /// The published capabilities of each vendor (docs: gateways reference §8).
    public static func of(_ kind: GatewayKind) -> GatewayCapabilities {
        switch kind {
        case .stripe, .generic: [.customerBalance, .paymentStatusLookup, .synchronousRefund, .nativeIdempotency, .paymentMethodLookup]
        case .paypal, .braintree, .square: [.paymentStatusLookup, .synchronousRefund, .nativeIdempotency, .paymentMethodLookup]
        case .adyen: [.nativeIdempotency, .paymentMethodLookup]
        case .authorizeNet: [.paymentStatusLookup, .synchronousRefund, .paymentMethodLookup]
        }
    }
}
