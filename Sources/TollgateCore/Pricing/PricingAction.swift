/// What a pricing statement says about matching requests.
public enum PricingAction: Sendable, Hashable {
    case free
    case price(Money)
    case block

    /// Order used to break ties between equally long path patterns: per RFC 9309 the less restrictive wins, so
    /// free beats any price, a lower price beats a higher one, and any price beats block.
    var restrictiveness: (rank: Int, micros: Int64) {
        switch self {
        case .free: (0, 0)
        case .price(let money): (1, money.micros)
        case .block: (2, 0)
        }
    }

    func isLessRestrictive(than other: PricingAction) -> Bool {
        restrictiveness < other.restrictiveness
    }
}

extension PricingAction {
    /// The JSON tags of the flattened form `"action": "free" | "price" | "block"` with `"price": {Money}`.
    enum Tag: String, Codable {
        case free
        case price
        case block
    }

    static func decode<Key: CodingKey>(
        from container: KeyedDecodingContainer<Key>, actionKey: Key, priceKey: Key
    ) throws -> PricingAction {
        switch try container.decode(Tag.self, forKey: actionKey) {
        case .free: return .free
        case .block: return .block
        case .price: return .price(try container.decode(Money.self, forKey: priceKey))
        }
    }

    func encode<Key: CodingKey>(to container: inout KeyedEncodingContainer<Key>, actionKey: Key, priceKey: Key) throws {
        switch self {
        case .free: try container.encode(Tag.free, forKey: actionKey)
        case .block: try container.encode(Tag.block, forKey: actionKey)
        case .price(let money):
            try container.encode(Tag.price, forKey: actionKey)
            try container.encode(money, forKey: priceKey)
        }
    }
}

/// Standalone JSON form, used for per-purpose entries: `{"action":"price","price":{"micros":…,"currency":"USD"}}`.
extension PricingAction: Codable {
    private enum CodingKeys: String, CodingKey {
        case action
        case price
    }

    public init(from decoder: any Decoder) throws {
        self = try Self.decode(from: decoder.container(keyedBy: CodingKeys.self), actionKey: .action, priceKey: .price)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try encode(to: &container, actionKey: .action, priceKey: .price)
    }
}
