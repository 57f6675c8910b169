import Foundation

/// The public-key step of PayPal's offline verification: check `signature` (the decoded
/// `PAYPAL-TRANSMISSION-SIG`) as `algorithm` (e.g. `SHA256withRSA`) over `message` with the certificate at
/// `certificateURL`, as it stands at `now`. It is asynchronous because the certificate has to be fetched (once per
/// URL, then cached); ``PayPalCertificateChecker`` is the real implementation. Any doubt answers `false`.
public protocol PayPalTransmissionSignatureChecker: Sendable {
    func isValidSignature(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL, now: Date)
        async -> Bool

    /// Why the signature is refused, or nil when it holds; the reason goes into the verifier's error.
    func refusal(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL, now: Date)
        async -> String?
}

extension PayPalTransmissionSignatureChecker {
    public func refusal(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL, now: Date)
        async -> String?
    {
        await isValidSignature(signature, over: message, algorithm: algorithm, certificateURL: certificateURL, now: now)
            ? nil : "does not verify under the certificate"
    }
}
