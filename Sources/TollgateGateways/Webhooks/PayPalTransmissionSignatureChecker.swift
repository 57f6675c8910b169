import Foundation

/// The public-key step of PayPal's offline verification: check `signature` (the decoded
/// `PAYPAL-TRANSMISSION-SIG`) as `algorithm` (e.g. `SHA256withRSA`) over `message` with the certificate at
/// `certificateURL`. It is injected because RSA and X.509 are outside what this module links (swift-crypto's
/// `Crypto` has neither), and because fetching the certificate is network I/O: the conformer is expected to hold
/// an already fetched, chain-validated, cached certificate and to do no I/O here.
public protocol PayPalTransmissionSignatureChecker: Sendable {
    func isValidSignature(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL) -> Bool
}
