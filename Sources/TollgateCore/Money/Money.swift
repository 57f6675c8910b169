/// An exact amount of money: integer micros (1 unit = 1 000 000 micros) in one currency. Never floating point.
///
/// Amounts may be negative (ledger postings, refunds); a price is a non-negative amount (see `PriceString`).
public struct Money: Sendable, Hashable, CustomStringConvertible {
    public static let microsPerUnit: Int64 = 1_000_000

    public var micros: Int64
    public var currency: Currency

    public init(micros: Int64, currency: Currency) {
        self.micros = micros
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(micros: 0, currency: currency) }

    public var isZero: Bool { micros == 0 }
    public var isNegative: Bool { micros < 0 }

    /// The price-string form for non-negative amounts (`USD 0.01`), with a leading `-` on the amount otherwise;
    /// for logs and messages. Use `PriceString.format` for a header value.
    public var description: String {
        let digits = PriceString.amountDigits(micros.magnitude, currency: currency)
        return "\(currency.code) \(micros < 0 ? "-" : "")\(digits)"
    }
}

extension Money: Codable {
    private enum CodingKeys: String, CodingKey {
        case micros
        case currency
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            micros: try container.decode(Int64.self, forKey: .micros),
            currency: try container.decode(Currency.self, forKey: .currency)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(micros, forKey: .micros)
        try container.encode(currency, forKey: .currency)
    }
}
