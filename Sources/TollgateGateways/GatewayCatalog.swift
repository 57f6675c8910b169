/// The adapter for each kind, so the control plane can build a gateway from stored settings.
public enum GatewayCatalog {
    public static func adapter(for kind: GatewayKind) -> (any ConfigurableGateway.Type)? {
        switch kind {
        case .stripe: StripeGateway.self
        case .paypal: PayPalGateway.self
        case .braintree: BraintreeGateway.self
        case .square: SquareGateway.self
        case .adyen: AdyenGateway.self
        case .authorizeNet: AuthorizeNetGateway.self
        case .generic: GenericGateway.self
        }
    }
}
