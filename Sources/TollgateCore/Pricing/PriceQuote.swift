/// The answer of the pricing model for one request.
public enum PriceQuote: Sendable, Hashable {
    case free
    /// A positive price to charge (a zero price is quoted as `.free`).
    case price(Money)
    case blocked(BlockReason)
}
