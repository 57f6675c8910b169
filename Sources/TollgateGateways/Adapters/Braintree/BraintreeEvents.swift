import Foundation
import TollgateCore

/// Reads the transaction out of a verified Braintree notification (base64 XML). Notifications name transactions by
/// legacy id; Braintree's GraphQL global id — our `PaymentRef` — is base64 of `transaction_<legacy id>`.
/// A settled `sale` is a succeeded payment, a settled `credit` a succeeded refund of `refunded-transaction-id`.
enum BraintreeEvents {
    static func parse(_ delivery: VerifiedWebhook, body: [UInt8]) throws(GatewayError) -> [GatewayEvent] {
        guard let fields = WebhookFormDecoder.decode(body),
            let payload = fields.first(where: { $0.name == "bt_payload" })?.value,
            let xmlData = Data(base64Encoded: payload, options: .ignoreUnknownCharacters),
            let xml = String(data: xmlData, encoding: .utf8),
            let values = elementTexts(xml)
        else { throw .invalidRequest(code: nil, message: "the Braintree webhook payload is not a notification", field: nil) }

        let prefix = "notification/subject/transaction/"
        func field(_ name: String) -> String? { values[prefix + name].flatMap { $0.isEmpty ? nil : $0 } }
        let kind = values["notification/kind"] ?? delivery.eventType
        let type = field("type")
        var amount: Money?
        if let value = field("amount"), let code = field("currency-iso-code"), let currency = try? Currency(code) {
            amount = try WireAmount.money(decimalString: value, currency: currency)
        }
        let transaction = field("id").map(globalTransactionID)
        let refunded = field("refunded-transaction-id").map(globalTransactionID)
        let isRefund = type == "credit"

        let eventKind: GatewayEvent.Kind
        switch (kind, isRefund) {
        case ("transaction_settled", false): eventKind = .paymentSucceeded
        case ("transaction_settled", true): eventKind = .refundSucceeded
        case ("transaction_settlement_declined", false):
            eventKind = .paymentFailed(.init(code: "settlement_declined", message: "Braintree's settlement was declined"))
        case ("transaction_settlement_declined", true): eventKind = .refundFailed("settlement declined")
        default: eventKind = .other
        }
        return [
            GatewayEvent(
                eventID: delivery.eventID, type: kind, kind: eventKind,
                payment: (isRefund ? refunded : transaction).map(PaymentRef.init(id:)),
                refundID: isRefund ? transaction : nil, reference: field("order-id"), amount: amount,
                occurredAt: delivery.occurredAt)
        ]
    }

    static func globalTransactionID(_ legacyID: String) -> String {
        Data("transaction_\(legacyID)".utf8).base64EncodedString()
    }

    /// Text of every leaf element by slash-joined path (first occurrence wins). Braintree's generated XML has no
    /// CDATA, comments inside elements or mixed content, so a tag scanner suffices.
    static func elementTexts(_ xml: String) -> [String: String]? {
        var path: [String] = []
        var found: [String: String] = [:]
        var text = ""
        var rest = Substring(xml)
        while let open = rest.firstIndex(of: "<") {
            text += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else { return nil }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("?") || tag.hasPrefix("!") { continue }
            if tag.hasPrefix("/") {
                guard path.last == String(tag.dropFirst()) else { return nil }
                let key = path.joined(separator: "/")
                if found[key] == nil { found[key] = unescape(text) }
                path.removeLast()
            } else {
                let name = String(tag.prefix { $0 != " " && $0 != "/" && $0 != "\n" })
                if tag.hasSuffix("/") {
                    let key = (path + [name]).joined(separator: "/")
                    if found[key] == nil { found[key] = "" }
                } else {
                    path.append(name)
                }
            }
            text = ""
        }
        return path.isEmpty ? found : nil
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
