import Crypto
import Foundation
import TollgateCore

/// Authorize.Net: `X-ANET-Signature: sha512=<UPPERCASE hex of HMAC-SHA512(key, raw body)>`, compared
/// case-insensitively. The key is the 128-hex-character Signature Key used as its ASCII text (as widely used PHP
/// `hash_hmac` code does); hex-decoding it is the older SIM/DPM rule. De-duplicates on `notificationId`.
public struct AuthorizeNetWebhookVerifier: WebhookVerifier {
    public static let headerName = "X-ANET-Signature"

    private let key: SymmetricKey

    public init(signatureKey: String) throws(WebhookVerificationError) {
        guard signatureKey.utf8.count == 128, Hex.isHex(signatureKey) else {
            throw .badSecretFormat("an Authorize.Net Signature Key is 128 hexadecimal characters")
        }
        key = SymmetricKey(data: Array(signatureKey.utf8))
    }

    public func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date)
        throws(WebhookVerificationError) -> VerifiedWebhook
    {
        let header = try headers.single(Self.headerName).trimmingCharacters(in: .whitespaces)
        let prefix = "sha512="
        guard header.lowercased().hasPrefix(prefix) else {
            throw .malformedHeader(name: Self.headerName, reason: "does not start with \"sha512=\"")
        }
        let provided = String(header.dropFirst(prefix.count))
        guard provided.utf8.count == SHA512.byteCount * 2, Hex.isHex(provided) else {
            throw .malformedHeader(name: Self.headerName, reason: "not 128 hexadecimal characters after sha512=")
        }
        let expected = WebhookEncoding.uppercasedASCII(Hex.encode(HMAC<SHA512>.authenticationCode(for: body, using: key)))
        guard ConstantTime.equals(expected, WebhookEncoding.uppercasedASCII(provided)) else {
            throw .noMatchingSignature("\(Self.headerName) does not match the body and signature key")
        }

        let event = try WebhookJSON(body)
        return VerifiedWebhook(
            eventID: try event.requiredString("notificationId"),
            eventType: try event.requiredString("eventType"),
            occurredAt: event.string("eventDate").flatMap { RFC3339.parse($0) }
        )
    }
}
