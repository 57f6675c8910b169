import Crypto
import Foundation
import TollgateCore

/// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, where each `v1` is
/// hex(HMAC-SHA256(key = the whole `whsec_…` secret as UTF-8, "<t>.<raw body>")) (stripe-python `_webhook.py`).
/// Several `v1` entries appear while a secret is being rolled; any match is enough. `v0` and unknown schemes are
/// ignored. De-duplicates on the event id `evt_…`.
public struct StripeWebhookVerifier: WebhookVerifier {
    public static let headerName = "Stripe-Signature"
    public static let defaultToleranceSeconds: Int64 = 300

    private let key: SymmetricKey
    public let toleranceSeconds: Int64

    public init(secret: String, toleranceSeconds: Int64 = StripeWebhookVerifier.defaultToleranceSeconds)
        throws(WebhookVerificationError)
    {
        guard secret.hasPrefix("whsec_"), secret.utf8.count > "whsec_".utf8.count else {
            throw .badSecretFormat("a Stripe endpoint secret starts with \"whsec_\"")
        }
        guard toleranceSeconds >= 0 else { throw .badSecretFormat("tolerance must not be negative") }
        // Unlike Standard Webhooks, Stripe keys the HMAC with the secret text itself, prefix included.
        key = SymmetricKey(data: Array(secret.utf8))
        self.toleranceSeconds = toleranceSeconds
    }

    public func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date)
        throws(WebhookVerificationError) -> VerifiedWebhook
    {
        let header = try headers.single(Self.headerName)
        var timestampText: String?
        var candidates: [Substring] = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else {
                throw .malformedHeader(name: Self.headerName, reason: "item \"\(item)\" is not key=value")
            }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            switch name {
            case "t":
                guard timestampText == nil else {
                    throw .malformedHeader(name: Self.headerName, reason: "more than one t= timestamp")
                }
                timestampText = value
            case "v1":
                candidates.append(Substring(value))
            default:
                continue  // v0 (test-mode legacy) and future schemes are not ours to check.
            }
        }
        guard let timestampText else {
            throw .malformedHeader(name: Self.headerName, reason: "no t= timestamp")
        }
        let timestamp = try WebhookTimestamp.unixSeconds(timestampText, header: Self.headerName)
        guard !candidates.isEmpty else {
            throw .noMatchingSignature("\(Self.headerName) has no v1 signature")
        }

        var message = Array(timestampText.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: body)
        let expected = Array(Hex.encode(HMAC<SHA256>.authenticationCode(for: message, using: key)).utf8)
        guard WebhookEncoding.matchesAny(expected, candidates) else {
            throw .noMatchingSignature("none of the \(candidates.count) v1 signature(s) matches the body and secret")
        }
        try WebhookTimestamp.checkTolerance(timestamp, now: now, tolerance: toleranceSeconds)

        let event = try WebhookJSON(body)
        let occurredAt = event.integer("created").map { Date(timeIntervalSince1970: Double($0)) }
        return VerifiedWebhook(
            eventID: try event.requiredString("id"),
            eventType: try event.requiredString("type"),
            occurredAt: occurredAt
        )
    }
}
