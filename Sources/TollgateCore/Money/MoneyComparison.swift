/// Ordering is defined only within one currency, so it throws instead of conforming to `Comparable`.
extension Money {
    public func isLess(than other: Money) throws(MoneyError) -> Bool {
        guard currency == other.currency else { throw MoneyError.currencyMismatch(currency, other.currency) }
        return micros < other.micros
    }

    public func isAtMost(_ other: Money) throws(MoneyError) -> Bool {
        guard currency == other.currency else { throw MoneyError.currencyMismatch(currency, other.currency) }
        return micros <= other.micros
    }
}
