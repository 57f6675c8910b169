import Crypto
import Foundation
import TollgateCore

/// Braintree: a form POST with `bt_signature` and `bt_payload`. `bt_signature` is one or more
/// `public_key|hex(HMAC-SHA1(key = SHA1(private_key) raw digest, bt_payload))` pairs joined by `&`; we check the
/// pair for our public key. Like braintree_python (`webhook_notification_gateway.py`) we also accept the signature
/// over `bt_payload + "\n"`. The payload is base64 of XML. De-duplicates on kind + timestamp + subject id.
public struct BraintreeWebhookVerifier: WebhookVerifier {
    public let publicKey: String
    private let key: SymmetricKey

    public init(publicKey: String, privateKey: String) throws(WebhookVerificationError) {
        guard !publicKey.isEmpty, !publicKey.contains("|"), !publicKey.contains("&") else {
            throw .badSecretFormat("a Braintree public key is non-empty and contains no \"|\" or \"&\"")
        }
        guard !privateKey.isEmpty else { throw .badSecretFormat("the Braintree private key is empty") }
        self.publicKey = publicKey
        key = SymmetricKey(data: Array(Insecure.SHA1.hash(data: Array(privateKey.utf8))))
    }

    /// Verifies a raw `application/x-www-form-urlencoded` body; headers and URL play no part.
    public func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date)
        throws(WebhookVerificationError) -> VerifiedWebhook
    {
        guard let fields = WebhookFormDecoder.decode(body) else {
            throw .malformedPayload("body is not valid application/x-www-form-urlencoded")
        }
        func field(_ name: String) throws(WebhookVerificationError) -> String {
            let values = fields.filter { $0.name == name }
            guard let first = values.first else { throw .missingSignature("form field \(name) is missing") }
            guard values.count == 1 else { throw .malformedPayload("form field \(name) appears \(values.count) times") }
            return first.value
        }
        return try verify(signature: try field("bt_signature"), payload: try field("bt_payload"))
    }

    /// Verifies the two form fields after a web framework has already decoded them.
    public func verify(signature: String, payload: String) throws(WebhookVerificationError) -> VerifiedWebhook {
        // Braintree's SDK rejects anything outside the base64 alphabet plus newlines before checking the HMAC.
        guard !payload.isEmpty, payload.utf8.allSatisfy(Self.isPayloadCharacter) else {
            throw .malformedPayload("bt_payload contains characters outside [A-Za-z0-9+=/\\n]")
        }
        let pairs = signature.split(separator: "&").filter { $0.contains("|") }
        guard !pairs.isEmpty else { throw .missingSignature("bt_signature has no public_key|signature pair") }
        guard let provided = pairs.first(where: { $0.split(separator: "|", maxSplits: 1).first.map(String.init) == publicKey })?
            .split(separator: "|", maxSplits: 1).dropFirst().first
        else {
            throw .noMatchingSignature("bt_signature has no pair for public key \(publicKey)")
        }
        let providedBytes = Array(provided.utf8)
        let exact = Array(Hex.encode(HMAC<Insecure.SHA1>.authenticationCode(for: Array(payload.utf8), using: key)).utf8)
        let withNewline = Array(
            Hex.encode(HMAC<Insecure.SHA1>.authenticationCode(for: Array((payload + "\n").utf8), using: key)).utf8
        )
        // Evaluate both comparisons so timing does not reveal which form matched.
        let matchesExact = ConstantTime.equals(exact, providedBytes)
        let matchesNewline = ConstantTime.equals(withNewline, providedBytes)
        guard matchesExact || matchesNewline else {
            throw .noMatchingSignature("bt_signature for \(publicKey) does not match bt_payload and the private key")
        }

        guard let xmlBytes = Data(base64Encoded: payload, options: .ignoreUnknownCharacters),
            let xml = String(data: xmlBytes, encoding: .utf8),
            let notification = BraintreeNotificationXML(xml)
        else {
            throw .malformedPayload("bt_payload is not base64 of an XML notification")
        }
        guard let kind = notification.kind, !kind.isEmpty, let timestamp = notification.timestamp, !timestamp.isEmpty
        else {
            throw .malformedPayload("notification lacks kind or timestamp")
        }
        return VerifiedWebhook(
            eventID: [kind, timestamp, notification.subjectID ?? ""].joined(separator: "|"),
            eventType: kind,
            occurredAt: RFC3339.parse(timestamp)
        )
    }

    private static func isPayloadCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: "/"), UInt8(ascii: "\n"):
            true
        default:
            false
        }
    }
}
