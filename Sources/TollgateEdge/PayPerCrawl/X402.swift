import Foundation
import TollgateCore

/// x402 v2 over HTTP with the `deferred` scheme (protocols §3), offered under our own network id. Amounts are in
/// the currency's minor unit (cents for USD), as the deferred scheme defines them.
public enum X402 {
    public static let network = "tollgate:402"
    /// Cloudflare's network id; a crawler built for it may send it back unchanged.
    static let acceptedNetworks: Set<String> = [network, "cloudflare:402"]
    static let schemeVersion = "1.0.0"

    /// The `PAYMENT-REQUIRED` header value for a price, or nil when the price is not a whole number of minor units
    /// (the scheme cannot carry it exactly, so it is not offered).
    public static func paymentRequired(
        price: Money, url: String, error: String, registrationURL: String?, termsURL: String?
    ) -> String? {
        guard let amount = minorUnits(price) else { return nil }
        var extensions: [String: Any] = [
            "http-message-signatures": [
                "info": [
                    "registrationUrl": registrationURL ?? "", "signatureSchemes": ["ed25519"], "tags": ["web-bot-auth"],
                ] as [String: Any]
            ]
        ]
        if let termsURL { extensions["terms"] = ["info": ["format": "uri", "terms": termsURL]] }
        let document: [String: Any] = [
            "x402Version": 2,
            "error": error,
            "resource": ["url": url],
            "accepts": [
                [
                    "scheme": "deferred", "network": network, "amount": String(amount), "asset": price.currency.code,
                    "payTo": "merchant", "extra": ["version": schemeVersion],
                ] as [String: Any]
            ],
            "extensions": extensions,
        ]
        return encode(document)
    }

    /// The `PAYMENT-RESPONSE` header value after a charge.
    public static func paymentResponse(price: Money, at date: Date) -> String? {
        guard let amount = minorUnits(price) else { return nil }
        return encode([
            "amount": String(amount), "asset": price.currency.code, "network": network,
            "timestamp": Int(date.timeIntervalSince1970),
        ])
    }

    /// The amount a `PAYMENT-SIGNATURE` accepts, if it is a well-formed deferred-scheme payload on our network.
    public static func acceptedAmount(paymentSignature: String) -> Money? {
        guard let data = Data(base64Encoded: paymentSignature.trimmingCharacters(in: .whitespaces)),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["x402Version"] as? Int == 2,
            let accepted = object["accepted"] as? [String: Any],
            accepted["scheme"] as? String == "deferred",
            let network = accepted["network"] as? String, acceptedNetworks.contains(network),
            let asset = accepted["asset"] as? String, let currency = try? Currency(asset),
            let amountText = accepted["amount"] as? String, let amount = Int64(amountText), amount >= 0,
            let exponent = currency.minorUnitExponent
        else { return nil }
        let (micros, overflow) = amount.multipliedReportingOverflow(by: pow10(6 - exponent))
        return overflow ? nil : Money(micros: micros, currency: currency)
    }

    static func minorUnits(_ price: Money) -> Int64? {
        guard let exponent = price.currency.minorUnitExponent else { return nil }
        let unit = pow10(6 - exponent)
        return price.micros % unit == 0 ? price.micros / unit : nil
    }

    private static func pow10(_ exponent: Int) -> Int64 {
        (0..<max(exponent, 0)).reduce(Int64(1)) { value, _ in value * 10 }
    }

    private static func encode(_ object: [String: Any]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return data.base64EncodedString()
    }
}
