/// The payment services Tollgate speaks to.
public enum GatewayKind: String, Sendable, CaseIterable, Codable {
    case stripe, paypal, braintree, square, adyen, authorizeNet = "authorize_net", generic
}
