/// Why a webhook delivery was rejected. Every case names the specific problem so operators can tell a
/// misconfigured secret from a forged or replayed request.
public enum WebhookVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configured secret or key does not have the vendor's format.
    case badSecretFormat(String)
    case missingHeader(String)
    case malformedHeader(name: String, reason: String)
    /// Square signs the notification URL; neither the verifier nor the call supplied one.
    case missingNotificationURL
    case timestampOutsideTolerance(timestamp: Int64, now: Int64, toleranceSeconds: Int64)
    /// The payload has no signature where the scheme puts it (Adyen items, Braintree form fields).
    case missingSignature(String)
    /// Signatures were present and well formed but none matched.
    case noMatchingSignature(String)
    /// PayPal: the certificate URL is not one we trust to hold PayPal's signing certificate.
    case untrustedCertificateURL(String)
    /// The signature matched but the payload cannot be read (or lacks the event id / type).
    case malformedPayload(String)

    public var description: String {
        switch self {
        case .badSecretFormat(let reason):
            "bad webhook secret format: \(reason)"
        case .missingHeader(let name):
            "missing header \(name)"
        case .malformedHeader(let name, let reason):
            "malformed header \(name): \(reason)"
        case .missingNotificationURL:
            "no notification URL to verify the signature against"
        case .timestampOutsideTolerance(let timestamp, let now, let tolerance):
            "timestamp \(timestamp) is \(abs(now - timestamp)) s from now (\(now)), outside the tolerance of \(tolerance) s"
        case .missingSignature(let location):
            "missing signature: \(location)"
        case .noMatchingSignature(let detail):
            "no matching signature: \(detail)"
        case .untrustedCertificateURL(let url):
            "untrusted certificate URL \(url)"
        case .malformedPayload(let reason):
            "malformed payload: \(reason)"
        }
    }
}
