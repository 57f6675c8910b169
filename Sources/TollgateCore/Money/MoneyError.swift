/// Why a money value or an operation on money was rejected.
public enum MoneyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not three upper-case ASCII letters.
    case invalidCurrencyCode(String)
    /// The two operands are in different currencies; we never convert implicitly.
    case currencyMismatch(Currency, Currency)
    /// The exact result does not fit in Int64 micros.
    case overflow(operation: String)
    /// A basis-point value outside 0...10 000.
    case invalidBasisPoints(Int)
    /// Shares of an allocation must add up to exactly 10 000 basis points.
    case sharesDoNotSumToWhole(Int)

    public var description: String {
        switch self {
        case .invalidCurrencyCode(let code):
            "invalid currency code \"\(code)\": expected three upper-case letters (ISO 4217)"
        case .currencyMismatch(let lhs, let rhs):
            "currency mismatch: \(lhs) and \(rhs) cannot be combined"
        case .overflow(let operation):
            "\(operation) overflows the range of Int64 micros"
        case .invalidBasisPoints(let value):
            "basis points \(value) are outside 0...10000"
        case .sharesDoNotSumToWhole(let total):
            "shares add up to \(total) basis points instead of 10000"
        }
    }
}
