import Foundation

/// Verifies one webhook delivery from a payment backend over the exact bytes received. Implementations never
/// re-serialise the body, compare signatures in constant time, and read the event only after the signature holds.
public protocol WebhookVerifier: Sendable {
    /// - Parameters:
    ///   - headers: the request headers (case-insensitive names).
    ///   - body: the raw request body.
    ///   - url: the URL the delivery was posted to, for schemes that sign it (Square).
    ///   - now: the current time, injected so tolerance checks are testable.
    func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date) throws(WebhookVerificationError)
        -> VerifiedWebhook
}

extension WebhookVerifier {
    public func verify(headers: WebhookHeaders, body: [UInt8], url: String? = nil) throws(WebhookVerificationError)
        -> VerifiedWebhook
    {
        try verify(headers: headers, body: body, url: url, now: Date())
    }
}
