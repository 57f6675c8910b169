/// Why a pay-per-crawl price string (`USD 0.01`) was rejected; each case names the offending part.
public enum PriceStringError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    /// Whitespace other than the single SP between currency and amount (leading, trailing, doubled, tabs).
    case unexpectedWhitespace
    /// The part before the space is not three upper-case ASCII letters.
    case invalidCurrency(String)
    /// No single space separates the currency from the amount.
    case missingSeparator
    case missingAmount
    /// The amount starts with a minus sign; prices are never negative.
    case negativeAmount
    /// The amount uses exponent notation (`1e-2`).
    case exponentNotation
    /// The amount starts with `.` (`.5`) instead of a digit.
    case missingIntegerDigits
    /// The amount ends with `.` (`1.`).
    case missingFractionDigits
    /// More decimals than the 6 we store (micros).
    case tooManyFractionDigits(Int)
    /// A character that is neither a digit nor the one decimal point (`+`, `,`, a second `.`, letters).
    case invalidAmountCharacter(Character)
    /// The amount does not fit in Int64 micros.
    case amountTooLarge
    /// Formatting refused a negative amount, which no price header may carry.
    case cannotFormatNegative(Money)

    public var description: String {
        switch self {
        case .empty: "price is empty; expected \"<ISO 4217 code> <amount>\", e.g. \"USD 0.01\""
        case .unexpectedWhitespace: "price has whitespace other than between currency and amount"
        case .invalidCurrency(let currency): "price currency \"\(currency)\" is not three upper-case letters"
        case .missingSeparator: "price lacks the space between currency and amount"
        case .missingAmount: "price has no amount after the currency"
        case .negativeAmount: "price amount is negative"
        case .exponentNotation: "price amount uses exponent notation"
        case .missingIntegerDigits: "price amount has no digits before the decimal point"
        case .missingFractionDigits: "price amount has no digits after the decimal point"
        case .tooManyFractionDigits(let count): "price amount has \(count) decimals; at most 6 are allowed"
        case .invalidAmountCharacter(let character): "price amount contains \"\(character)\""
        case .amountTooLarge: "price amount is too large"
        case .cannotFormatNegative(let money): "cannot write negative amount \(money) as a price"
        }
    }
}
