/// Arithmetic that never wraps and never mixes currencies: every operation either gives the exact result or throws.
extension Money {
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        let (result, overflow) = micros.addingReportingOverflow(other.micros)
        if overflow { throw MoneyError.overflow(operation: "\(self) + \(other)") }
        return Money(micros: result, currency: currency)
    }

    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        let (result, overflow) = micros.subtractingReportingOverflow(other.micros)
        if overflow { throw MoneyError.overflow(operation: "\(self) - \(other)") }
        return Money(micros: result, currency: currency)
    }

    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (result, overflow) = micros.multipliedReportingOverflow(by: factor)
        if overflow { throw MoneyError.overflow(operation: "\(self) × \(factor)") }
        return Money(micros: result, currency: currency)
    }

    public func negated() throws(MoneyError) -> Money {
        // Int64.min has no positive counterpart.
        guard micros != .min else { throw MoneyError.overflow(operation: "-(\(self))") }
        return Money(micros: -micros, currency: currency)
    }

    /// Sums amounts of one currency; an empty sequence sums to zero in `currency`.
    public static func sum(_ amounts: some Sequence<Money>, currency: Currency) throws(MoneyError) -> Money {
        var total = Money.zero(currency)
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    private func requireSameCurrency(_ other: Money) throws(MoneyError) {
        guard currency == other.currency else { throw MoneyError.currencyMismatch(currency, other.currency) }
    }
}
