/// The price value of the pay-per-crawl headers (`crawler-price`, `crawler-exact-price`, `crawler-max-price`,
/// `crawler-charged`), for example `USD 0.01`.
///
/// Grammar (ABNF, RFC 5234), strict:
///
///     price    = currency 1*WSP amount
///     currency = 3UPALPHA                      ; ISO 4217 code, upper case only
///     amount   = 1*DIGIT [ "." 1*6DIGIT ]      ; at most 6 decimals: micros are exact
///     UPALPHA  = %x41-5A
///
/// This is the published `^[A-Z]{3}\s+\d+(\.\d+)?$` (whitespace in a header value can only be spaces and tabs)
/// narrowed to the precision we store; `format` always writes exactly one space. Parsing never goes through
/// floating point.
public enum PriceString {
    public static let maximumFractionDigits = 6

    public static func parse(_ value: String) throws(PriceStringError) -> Money {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { throw PriceStringError.empty }
        if bytes.first.map(isWhitespace) == true || bytes.last.map(isWhitespace) == true {
            throw PriceStringError.unexpectedWhitespace
        }
        guard let space = bytes.firstIndex(where: isWhitespace) else {
            if bytes.count >= 3, bytes.prefix(3).allSatisfy(isUpperLetter) {
                throw bytes.count == 3 ? PriceStringError.missingAmount : PriceStringError.missingSeparator
            }
            throw PriceStringError.invalidCurrency(value)
        }
        let currencyText = String(decoding: bytes[..<space], as: UTF8.self)
        var amountStart = space
        while amountStart < bytes.endIndex, isWhitespace(bytes[amountStart]) { amountStart += 1 }
        let amount = bytes[amountStart...]
        guard !amount.contains(where: isWhitespace) else { throw PriceStringError.unexpectedWhitespace }
        guard let currency = try? Currency(currencyText) else { throw PriceStringError.invalidCurrency(currencyText) }
        return Money(micros: try parseAmount(amount), currency: currency)
    }

    /// Writes a non-negative amount with exactly one space, at least the currency's minor-unit decimals (2 when
    /// unknown) and as many more as needed to be exact: `USD 0.01`, `USD 0.015`, `JPY 3`.
    public static func format(_ money: Money) throws(PriceStringError) -> String {
        guard money.micros >= 0 else { throw PriceStringError.cannotFormatNegative(money) }
        return "\(money.currency.code) \(amountDigits(money.micros.magnitude, currency: money.currency))"
    }

    static func amountDigits(_ micros: UInt64, currency: Currency) -> String {
        let units = micros / UInt64(Money.microsPerUnit)
        var fraction = String(micros % UInt64(Money.microsPerUnit))
        fraction = String(repeating: "0", count: maximumFractionDigits - fraction.count) + fraction
        let minimumDigits = min(currency.minorUnitExponent ?? 2, maximumFractionDigits)
        while fraction.count > minimumDigits, fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(units)" : "\(units).\(fraction)"
    }

    private static func parseAmount(_ amount: ArraySlice<UInt8>) throws(PriceStringError) -> Int64 {
        guard let first = amount.first else { throw PriceStringError.missingAmount }
        if first == UInt8(ascii: "-") { throw PriceStringError.negativeAmount }
        if first == UInt8(ascii: ".") { throw PriceStringError.missingIntegerDigits }
        if amount.contains(UInt8(ascii: "e")) || amount.contains(UInt8(ascii: "E")) {
            throw PriceStringError.exponentNotation
        }
        let point = amount.firstIndex(of: UInt8(ascii: "."))
        let integerDigits = amount[..<(point ?? amount.endIndex)]
        let fractionDigits = point.map { amount[($0 + 1)...] } ?? []
        for byte in integerDigits where !isDigit(byte) { throw invalidCharacter(byte) }
        for byte in fractionDigits where !isDigit(byte) { throw invalidCharacter(byte) }
        if point != nil && fractionDigits.isEmpty { throw PriceStringError.missingFractionDigits }
        guard fractionDigits.count <= maximumFractionDigits else {
            throw PriceStringError.tooManyFractionDigits(fractionDigits.count)
        }

        var micros: Int64 = 0
        for byte in integerDigits {
            let (shifted, overflowA) = micros.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { throw PriceStringError.amountTooLarge }
            micros = sum
        }
        var fraction: Int64 = 0
        for index in 0..<maximumFractionDigits {
            let digit = index < fractionDigits.count ? fractionDigits[fractionDigits.startIndex + index] - UInt8(ascii: "0") : 0
            fraction = fraction * 10 + Int64(digit)
        }
        let (scaled, overflowA) = micros.multipliedReportingOverflow(by: Money.microsPerUnit)
        let (total, overflowB) = scaled.addingReportingOverflow(fraction)
        guard !overflowA, !overflowB else { throw PriceStringError.amountTooLarge }
        return total
    }

    private static func invalidCharacter(_ byte: UInt8) -> PriceStringError {
        .invalidAmountCharacter(Character(Unicode.Scalar(byte)))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isUpperLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
}

extension Money {
    /// Parses a pay-per-crawl price string; see `PriceString` for the grammar.
    public init(priceString: String) throws(PriceStringError) {
        self = try PriceString.parse(priceString)
    }

    /// This amount as a pay-per-crawl price string; throws for negative amounts.
    public func priceString() throws(PriceStringError) -> String {
        try PriceString.format(self)
    }
}
