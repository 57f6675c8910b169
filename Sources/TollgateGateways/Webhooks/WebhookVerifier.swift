import Foundation

/// Verifies one webhook delivery from a payment backend over the exact bytes received. Implementations never
/// re-serialise the body, compare signatures in constant time, and read the event only after the signature holds.
public protocol WebhookVerifier: Sendable {
    /// - Parameters:
    ///   - headers: the request headers (case-insensitive names).
    ///   - body: the raw request body.
    ///   - url: the URL the delivery was posted to, for schemes that sign it (Square).
    ///   - now: the current time, injected so tolerance checks are testable.
    ///
    /// Asynchronous because one scheme needs I/O: PayPal's signing certificate is fetched from the delivery's
    /// `PAYPAL-CERT-URL` (and cached). The HMAC schemes implement it synchronously.
    func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date) async throws(WebhookVerificationError)
        -> VerifiedWebhook
}

extension WebhookVerifier {
    public func verify(headers: WebhookHeaders, body: [UInt8], url: String? = nil) async throws(WebhookVerificationError)
        -> VerifiedWebhook
    {
        try await verify(headers: headers, body: body, url: url, now: Date())
    }
}
