import TollgateCore

/// Money at a gateway's wire: integer minor units (Stripe, Square, Adyen) or a major-unit decimal string (PayPal,
/// Braintree, Authorize.Net). Conversions are exact or they throw: a gateway never receives a rounded amount.
public enum WireAmount {
    /// Per-gateway exponent overrides, e.g. PayPal takes no decimals for HUF and TWD (gateways reference §2).
    public static func exponent(of currency: Currency, overrides: [String: Int] = [:]) throws(GatewayError) -> Int {
        if let exponent = overrides[currency.code] ?? currency.minorUnitExponent { return exponent }
        throw .invalidAmount("the number of decimals of \(currency.code) is unknown")
    }

    public static func minorUnits(_ money: Money, overrides: [String: Int] = [:]) throws(GatewayError) -> Int64 {
        let exponent = try exponent(of: money.currency, overrides: overrides)
        let divisor = power(6 - exponent)
        guard money.micros % divisor == 0 else {
            throw .invalidAmount("\(money) has more precision than \(money.currency.code)'s \(exponent) decimals")
        }
        return money.micros / divisor
    }

    public static func money(minorUnits: Int64, currency: Currency, overrides: [String: Int] = [:]) throws(GatewayError) -> Money {
        let exponent = try exponent(of: currency, overrides: overrides)
        let (micros, overflow) = minorUnits.multipliedReportingOverflow(by: power(6 - exponent))
        guard !overflow else { throw .invalidAmount("\(minorUnits) minor units of \(currency.code) overflow") }
        return Money(micros: micros, currency: currency)
    }

    /// "12.34": exactly the currency's decimals, no sign for non-negative amounts, "-" for negative ones.
    public static func decimalString(_ money: Money, overrides: [String: Int] = [:]) throws(GatewayError) -> String {
        let exponent = try exponent(of: money.currency, overrides: overrides)
        let units = try minorUnits(money, overrides: overrides)
        let magnitude = String(units.magnitude)
        let sign = units < 0 ? "-" : ""
        guard exponent > 0 else { return sign + magnitude }
        let padded = String(repeating: "0", count: max(0, exponent + 1 - magnitude.count)) + magnitude
        return sign + padded.dropLast(exponent) + "." + padded.suffix(exponent)
    }

    /// Parses a vendor's decimal amount ("12.34", "12.3", "12"); more decimals than the currency has are refused.
    public static func money(decimalString text: String, currency: Currency, overrides: [String: Int] = [:]) throws(GatewayError) -> Money {
        let exponent = try exponent(of: currency, overrides: overrides)
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : Substring(text)
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            parts.count == 1 || (!parts[1].isEmpty && parts[1].count <= exponent)
        else { throw .invalidAmount("\"\(text)\" is not a \(currency.code) amount with at most \(exponent) decimals") }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard let units = Int64(String(parts[0]) + fraction + String(repeating: "0", count: exponent - fraction.count)) else {
            throw .invalidAmount("\"\(text)\" is too large")
        }
        return try money(minorUnits: negative ? -units : units, currency: currency, overrides: overrides)
    }

    /// Stripe wants ISO codes in lower case.
    public static func lowercaseCode(_ currency: Currency) -> String { currency.code.lowercased() }

    private static func power(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}
