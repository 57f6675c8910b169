/// One error taxonomy for every vendor; adapters map their codes onto it (gateways reference §8).
public enum GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request was refused as malformed; `field` names the offending parameter when the vendor says.
    case invalidRequest(code: String?, message: String, field: String?)
    case authentication
    case permissionDenied
    case notFound
    /// The payment method was declined; nothing was charged.
    case declined(Decline)
    /// The idempotency key was reused with different parameters.
    case idempotencyConflict
    /// The vendor suspects a duplicate (Authorize.Net's duplicate window, PayPal's duplicate invoice id).
    case duplicateSuspected
    case rateLimited(retryAfter: Duration?)
    /// 5xx, timeouts and the like: retry with the same idempotency key.
    case transient(String)
    /// The amount cannot be expressed on this gateway's wire (sub-minor-unit precision, unknown exponent, overflow).
    case invalidAmount(String)
    case unsupported(String)

    public struct Decline: Sendable, Hashable {
        public let code: String?
        public let message: String
        public init(code: String?, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// Whether repeating the same request (with the same key) may succeed.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .transient: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .invalidRequest(let code, let message, let field):
            "invalid request\(code.map { " (\($0))" } ?? "")\(field.map { " on \($0)" } ?? ""): \(message)"
        case .authentication: "the gateway refused our credentials; check the gateway configuration"
        case .permissionDenied: "the gateway account is not allowed to do this"
        case .notFound: "the gateway does not know this object"
        case .declined(let decline): "declined\(decline.code.map { " (\($0))" } ?? ""): \(decline.message)"
        case .idempotencyConflict: "the idempotency key was already used with different parameters"
        case .duplicateSuspected: "the gateway suspects a duplicate transaction"
        case .rateLimited(let retryAfter): "rate limited\(retryAfter.map { "; retry after \($0)" } ?? "")"
        case .transient(let why): "temporary gateway failure: \(why)"
        case .invalidAmount(let why): "amount not representable: \(why)"
        case .unsupported(let what): "not supported by this gateway: \(what)"
        }
    }
}
