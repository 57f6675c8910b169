/// A price statement for the paths a robots.txt-style pattern matches.
public struct PathPriceRule: Sendable, Hashable {
    /// The pattern as written (`/premium/*`, `/*.pdf$`); checked by `PricingPolicy.validate()`.
    public var pattern: String
    public var action: PricingAction

    public init(pattern: String, action: PricingAction) {
        self.pattern = pattern
        self.action = action
    }
}

/// JSON: `{"pattern":"/premium/*","action":"price","price":{"micros":50000,"currency":"USD"}}`.
extension PathPriceRule: Codable {
    private enum CodingKeys: String, CodingKey {
        case pattern
        case action
        case price
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pattern = try container.decode(String.self, forKey: .pattern)
        action = try PricingAction.decode(from: container, actionKey: .action, priceKey: .price)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pattern, forKey: .pattern)
        try action.encode(to: &container, actionKey: .action, priceKey: .price)
    }
}
