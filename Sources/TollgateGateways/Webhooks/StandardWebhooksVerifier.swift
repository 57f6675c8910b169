import Crypto
import Foundation
import TollgateCore

/// Standard Webhooks (our generic backend): `webhook-id`, `webhook-timestamp` (Unix seconds) and
/// `webhook-signature: v1,<base64>[ v1,<base64>…]`, each signature being
/// base64(HMAC-SHA256(key = base64-decoded secret after "whsec_", "<id>.<timestamp>.<raw body>")). Space-separated
/// signatures support key rotation; other versions (`v1a` asymmetric) are ignored. De-duplicates on `webhook-id`.
public struct StandardWebhooksVerifier: WebhookVerifier {
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"
    public static let defaultToleranceSeconds: Int64 = 300

    private let key: SymmetricKey
    public let toleranceSeconds: Int64

    public init(secret: String, toleranceSeconds: Int64 = StandardWebhooksVerifier.defaultToleranceSeconds)
        throws(WebhookVerificationError)
    {
        // The prefix is optional in the spec's reference libraries; the key is always the base64 after it.
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst("whsec_".count)) : secret
        guard let bytes = WebhookEncoding.canonicalBase64Decode(encoded) else {
            throw .badSecretFormat("a Standard Webhooks secret is \"whsec_\" followed by standard base64")
        }
        guard (24...64).contains(bytes.count) else {
            throw .badSecretFormat("a Standard Webhooks secret decodes to 24–64 bytes, not \(bytes.count)")
        }
        guard toleranceSeconds >= 0 else { throw .badSecretFormat("tolerance must not be negative") }
        key = SymmetricKey(data: bytes)
        self.toleranceSeconds = toleranceSeconds
    }

    public func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date)
        throws(WebhookVerificationError) -> VerifiedWebhook
    {
        let id = try headers.single(Self.idHeader)
        guard !id.isEmpty, !id.contains(".") else {
            throw .malformedHeader(name: Self.idHeader, reason: "empty or contains \".\"")
        }
        let timestampText = try headers.single(Self.timestampHeader)
        let timestamp = try WebhookTimestamp.unixSeconds(timestampText, header: Self.timestampHeader)
        let signatures = try headers.single(Self.signatureHeader)

        var candidates: [Substring] = []
        for entry in signatures.split(separator: " ") {
            guard let comma = entry.firstIndex(of: ",") else {
                throw .malformedHeader(name: Self.signatureHeader, reason: "entry \"\(entry)\" is not version,signature")
            }
            if entry[..<comma] == "v1" { candidates.append(entry[entry.index(after: comma)...]) }
        }
        guard !candidates.isEmpty else {
            throw .noMatchingSignature("\(Self.signatureHeader) has no v1 signature")
        }

        var message = Array("\(id).\(timestampText).".utf8)
        message.append(contentsOf: body)
        let expected = Array(WebhookEncoding.base64(HMAC<SHA256>.authenticationCode(for: message, using: key)).utf8)
        guard WebhookEncoding.matchesAny(expected, candidates) else {
            throw .noMatchingSignature("none of the \(candidates.count) v1 signature(s) matches the body and secret")
        }
        try WebhookTimestamp.checkTolerance(timestamp, now: now, tolerance: toleranceSeconds)

        // The Standard Webhooks payload is {type, timestamp, data}; the message id is the delivery's identity.
        let event = try WebhookJSON(body)
        return VerifiedWebhook(
            eventID: id,
            eventType: try event.requiredString("type"),
            occurredAt: event.string("timestamp").flatMap { RFC3339.parse($0) }
        )
    }
}
