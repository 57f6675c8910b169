/// An ISO 4217 alphabetic currency code: exactly three ASCII upper-case letters.
///
/// Any well-formed code is accepted (new codes appear without a release of ours); `minorUnitExponent` is known only
/// for common currencies and is used for display, never for storage, which is always in micros.
public struct Currency: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) throws(MoneyError) {
        let bytes = Array(code.utf8)
        guard bytes.count == 3, bytes.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw MoneyError.invalidCurrencyCode(code)
        }
        self.code = code
    }

    private init(unchecked code: String) { self.code = code }

    public static let usd = Currency(unchecked: "USD")
    public static let eur = Currency(unchecked: "EUR")
    public static let gbp = Currency(unchecked: "GBP")
    public static let jpy = Currency(unchecked: "JPY")
    public static let chf = Currency(unchecked: "CHF")

    /// Number of decimal digits of the currency's minor unit (USD 2, JPY 0, KWD 3), or nil when we do not know it.
    public var minorUnitExponent: Int? { Self.exponents[code] }

    public var description: String { code }

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.code < rhs.code }

    // ISO 4217 minor units of the currencies customers are likely to price in.
    private static let exponents: [String: Int] = [
        "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "SEK": 2, "NOK": 2, "DKK": 2,
        "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "BGN": 2, "TRY": 2, "ILS": 2, "AED": 2, "SAR": 2, "INR": 2,
        "CNY": 2, "HKD": 2, "SGD": 2, "TWD": 2, "THB": 2, "MYR": 2, "PHP": 2, "IDR": 2, "BRL": 2, "MXN": 2,
        "ARS": 2, "COP": 2, "ZAR": 2, "EGP": 2, "NGN": 2, "KES": 2, "UAH": 2,
        "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "XAF": 0, "XOF": 0, "PYG": 0,
        "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
    ]
}

extension Currency: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        do {
            try self.init(code)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
