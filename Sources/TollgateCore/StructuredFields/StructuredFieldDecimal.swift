/// An RFC 8941 Decimal held exactly as thousandths (the type has at most three fractional digits), so parsing and
/// re-serializing never passes through binary floating point.
public struct StructuredFieldDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The largest magnitude RFC 8941 can serialize: 12 integer digits and 3 fractional digits.
    public static let maximumThousandths: Int64 = 999_999_999_999_999

    public let thousandths: Int64

    public init(thousandths: Int64) {
        self.thousandths = thousandths
    }

    /// The serialized form: integer part, `.`, then 1 to 3 fractional digits without trailing zeros.
    public var description: String {
        let magnitude = thousandths.magnitude
        var fraction = String(magnitude % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.count > 1, fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(thousandths < 0 ? "-" : "")\(magnitude / 1000).\(fraction)"
    }
}
