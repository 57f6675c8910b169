import Crypto
import Foundation
import TollgateCore

/// Adyen standard notifications: each `NotificationRequestItem` carries
/// `additionalData.hmacSignature` = base64(HMAC-SHA256(key = hex-decoded HMAC key,
/// "pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success"))
/// (adyen-python-api-library `is_valid_hmac_notification`). One POST may batch several items and every one must
/// verify. Only those eight fields are signed, so nothing else in an item (e.g. `eventDate`) is trusted beyond them.
/// De-duplicates on pspReference + eventCode.
public struct AdyenWebhookVerifier: WebhookVerifier {
    private let key: SymmetricKey

    public init(hmacKeyHex: String) throws(WebhookVerificationError) {
        guard let bytes = Hex.decode(hmacKeyHex), !bytes.isEmpty else {
            throw .badSecretFormat("an Adyen HMAC key is a non-empty hexadecimal string")
        }
        key = SymmetricKey(data: bytes)
    }

    /// Adyen signs inside the JSON body, so headers and URL play no part.
    public func verify(headers: WebhookHeaders, body: [UInt8], url: String?, now: Date)
        throws(WebhookVerificationError) -> VerifiedWebhook
    {
        let notification = try WebhookJSON(body)
        guard let items = notification.object["notificationItems"] as? [Any], !items.isEmpty else {
            throw .malformedPayload("no notificationItems")
        }
        var events: [VerifiedWebhook.Event] = []
        for (index, element) in items.enumerated() {
            guard let wrapper = element as? [String: Any], let fields = wrapper["NotificationRequestItem"] as? [String: Any]
            else {
                throw .malformedPayload("notificationItems[\(index)] has no NotificationRequestItem")
            }
            let item = WebhookJSON(object: fields)
            guard let provided = item.child("additionalData")?.string("hmacSignature"), !provided.isEmpty else {
                throw .missingSignature("notificationItems[\(index)] has no additionalData.hmacSignature")
            }
            let signingString = try Self.signingString(item, index: index)
            let expected = WebhookEncoding.base64(HMAC<SHA256>.authenticationCode(for: Array(signingString.utf8), using: key))
            guard ConstantTime.equals(Array(expected.utf8), Array(provided.utf8)) else {
                throw .noMatchingSignature("notificationItems[\(index)] hmacSignature does not match its fields and the key")
            }
            let pspReference = try item.requiredString("pspReference")
            let eventCode = try item.requiredString("eventCode")
            events.append(
                VerifiedWebhook.Event(
                    eventID: "\(pspReference):\(eventCode)",
                    eventType: eventCode,
                    occurredAt: item.string("eventDate").flatMap { RFC3339.parse($0) }
                )
            )
        }
        return VerifiedWebhook(events: events)
    }

    /// The colon-joined signing string; a missing field is the empty string, `value` a decimal integer and
    /// `success` the payload's literal text.
    static func signingString(_ item: WebhookJSON, index: Int) throws(WebhookVerificationError) -> String {
        func text(_ key: String) throws(WebhookVerificationError) -> String {
            switch item.object[key] {
            case nil, is NSNull: return ""
            case let string as String: return string
            default: throw .malformedPayload("notificationItems[\(index)].\(key) is not a string")
            }
        }
        var value = ""
        var currency = ""
        if let amount = item.child("amount") {
            if amount.object["value"] != nil {
                guard let minor = amount.integer("value") else {
                    throw .malformedPayload("notificationItems[\(index)].amount.value is not an integer")
                }
                value = String(minor)
            }
            currency = amount.string("currency") ?? ""
        }
        let success: String
        switch item.object["success"] {
        case let string as String: success = string
        case nil, is NSNull: success = ""
        default: throw .malformedPayload("notificationItems[\(index)].success is not a string")
        }
        return [
            try text("pspReference"), try text("originalReference"), try text("merchantAccountCode"),
            try text("merchantReference"), value, currency, try text("eventCode"), success,
        ].joined(separator: ":")
    }
}
