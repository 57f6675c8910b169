import Crypto
import Foundation
import TollgateCore

/// Square: `x-square-hmacsha256-signature` = base64(HMAC-SHA256(key = signature key as UTF-8,
/// notification URL + raw body)) (square-python-sdk `webhooks_helper.py`). The URL must be byte-identical to the
/// subscription's URL, so the verifier prefers the configured one over the URL a proxy reports. The legacy
/// `x-square-signature` (HMAC-SHA1) header is ignored. De-duplicates on `event_id`.
public struct SquareWebhookVerifier: WebhookVerifier {
    public static let headerName = "x-square-hmacsha256-signature"

    private let key: SymmetricKey
    /// The subscription's notification URL exactly as registered with Square; nil means "use the request URL".
    public let notificationURL: String?

    public init(signatureKey: String, notificationURL: String? = nil) throws(WebhookVerificationError) {
        guard !signatureKey.isEmpty else { throw .badSecretFormat("the Square signature key is empty") }
        key = SymmetricKey(data: Array(signatureKey.utf8))
        self.notificationURL = notificationURL
    }

    public func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date)
        throws(WebhookVerificationError) -> VerifiedWebhook
    {
        guard let signedURL = notificationURL ?? url, !signedURL.isEmpty else { throw .missingNotificationURL }
        let provided = try headers.single(Self.headerName)
        guard WebhookEncoding.canonicalBase64Decode(provided)?.count == SHA256.byteCount else {
            throw .malformedHeader(name: Self.headerName, reason: "not the base64 of a 32-byte HMAC-SHA256")
        }
        var message = Array(signedURL.utf8)
        message.append(contentsOf: body)
        let expected = WebhookEncoding.base64(HMAC<SHA256>.authenticationCode(for: message, using: key))
        guard ConstantTime.equals(Array(expected.utf8), Array(provided.utf8)) else {
            throw .noMatchingSignature("\(Self.headerName) does not match the URL, body and signature key")
        }

        let event = try WebhookJSON(body)
        return VerifiedWebhook(
            eventID: try event.requiredString("event_id"),
            eventType: try event.requiredString("type"),
            occurredAt: event.string("created_at").flatMap { RFC3339.parse($0) }
        )
    }
}
