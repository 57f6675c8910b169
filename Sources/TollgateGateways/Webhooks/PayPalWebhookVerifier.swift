import Foundation
import TollgateCore

/// PayPal offline verification (PayPal-Python-SDK `notifications.py`): the signed string is
/// `<PAYPAL-TRANSMISSION-ID>|<PAYPAL-TRANSMISSION-TIME>|<webhook id>|<CRC-32 of the raw body, unsigned decimal>`,
/// and `PAYPAL-TRANSMISSION-SIG` is its base64 `SHA256withRSA` signature under the certificate at
/// `PAYPAL-CERT-URL`. This type builds the signed string from the raw bytes, vets the headers and the certificate
/// URL, and hands the certificate and public-key check to a ``PayPalTransmissionSignatureChecker`` (in production
/// ``PayPalCertificateChecker``: fetch, chain validation, RSA). De-duplicates on the event `id`.
public struct PayPalWebhookVerifier: WebhookVerifier {
    public static let transmissionIDHeader = "PAYPAL-TRANSMISSION-ID"
    public static let transmissionTimeHeader = "PAYPAL-TRANSMISSION-TIME"
    public static let transmissionSignatureHeader = "PAYPAL-TRANSMISSION-SIG"
    public static let certificateURLHeader = "PAYPAL-CERT-URL"
    public static let algorithmHeader = "PAYPAL-AUTH-ALGO"

    /// Our webhook subscription's id; PayPal signs it but does not send it.
    public let webhookID: String
    public let checker: any PayPalTransmissionSignatureChecker
    /// Decides which certificate URLs may be fetched at all; tests with a loopback fake replace it.
    public let isTrustedCertificateURL: @Sendable (URL) -> Bool

    public init(
        webhookID: String,
        checker: any PayPalTransmissionSignatureChecker,
        isTrustedCertificateURL: @escaping @Sendable (URL) -> Bool = PayPalWebhookVerifier.isPayPalCertificateURL
    ) throws(WebhookVerificationError) {
        guard !webhookID.isEmpty, !webhookID.contains("|") else {
            throw .badSecretFormat("a PayPal webhook id is non-empty and contains no \"|\"")
        }
        self.webhookID = webhookID
        self.checker = checker
        self.isTrustedCertificateURL = isTrustedCertificateURL
    }

    /// The hosts PayPal serves its webhook signing certificates from (live and sandbox API hosts).
    public static let certificateHosts: Set<String> = [
        "api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com",
    ]

    /// PayPal's certificates are served over https, on the default port, from PayPal's API hosts only.
    public static func isPayPalCertificateURL(_ url: URL) -> Bool {
        guard url.scheme?.lowercased() == "https", url.user == nil, url.password == nil, url.port == nil || url.port == 443,
            let host = url.host?.lowercased()
        else { return false }
        return certificateHosts.contains(host)
    }

    /// `transmission_id|transmission_time|webhook_id|crc32(body)`.
    public static func signedMessage(transmissionID: String, transmissionTime: String, webhookID: String, body: [UInt8])
        -> String
    {
        "\(transmissionID)|\(transmissionTime)|\(webhookID)|\(PayPalCRC32.checksum(body))"
    }

    public static func crc32(_ body: [UInt8]) -> UInt32 {
        PayPalCRC32.checksum(body)
    }

    public func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date)
        async throws(WebhookVerificationError) -> VerifiedWebhook
    {
        let transmissionID = try headers.single(Self.transmissionIDHeader)
        let transmissionTime = try headers.single(Self.transmissionTimeHeader)
        for (name, value) in [(Self.transmissionIDHeader, transmissionID), (Self.transmissionTimeHeader, transmissionTime)]
        where value.isEmpty || value.contains("|") {
            // A "|" would let one field's text shift into the next in the signed string.
            throw .malformedHeader(name: name, reason: "empty or contains \"|\"")
        }
        let signatureText = try headers.single(Self.transmissionSignatureHeader)
        guard let signature = WebhookEncoding.canonicalBase64Decode(signatureText), !signature.isEmpty else {
            throw .malformedHeader(name: Self.transmissionSignatureHeader, reason: "not canonical base64")
        }
        let algorithm = try headers.single(Self.algorithmHeader)
        guard algorithm == "SHA256withRSA" else {
            throw .malformedHeader(name: Self.algorithmHeader, reason: "unsupported algorithm \"\(algorithm)\"")
        }
        let certificateText = try headers.single(Self.certificateURLHeader)
        guard let certificateURL = URL(string: certificateText) else {
            throw .malformedHeader(name: Self.certificateURLHeader, reason: "not a URL")
        }
        guard isTrustedCertificateURL(certificateURL) else { throw .untrustedCertificateURL(certificateText) }

        let message = Self.signedMessage(
            transmissionID: transmissionID,
            transmissionTime: transmissionTime,
            webhookID: webhookID,
            body: body
        )
        if let refusal = await checker.refusal(
            signature, over: Array(message.utf8), algorithm: algorithm, certificateURL: certificateURL, now: now)
        {
            throw .noMatchingSignature("\(Self.transmissionSignatureHeader): \(refusal)")
        }

        let event = try WebhookJSON(body)
        return VerifiedWebhook(
            eventID: try event.requiredString("id"),
            eventType: try event.requiredString("event_type"),
            occurredAt: event.string("create_time").flatMap { RFC3339.parse($0) }
        )
    }
}
