import Foundation

/// A site's statement about one crawler, which takes precedence over its purpose and default prices.
public struct CrawlerPriceOverride: Sendable, Hashable {
    /// The crawler's product token (`GPTBot`) or registered crawler id, matched case-insensitively.
    public var crawler: String
    public var action: PricingAction

    public init(crawler: String, action: PricingAction) {
        self.crawler = crawler
        self.action = action
    }

    /// How crawler names are compared: trimmed and case-folded, like robots.txt product tokens.
    static func matchKey(_ crawler: String) -> String {
        crawler.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// JSON: `{"crawler":"GPTBot","action":"block"}` or `{"crawler":"…","action":"price","price":{…}}`.
extension CrawlerPriceOverride: Codable {
    private enum CodingKeys: String, CodingKey {
        case crawler
        case action
        case price
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        crawler = try container.decode(String.self, forKey: .crawler)
        action = try PricingAction.decode(from: container, actionKey: .action, priceKey: .price)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(crawler, forKey: .crawler)
        try action.encode(to: &container, actionKey: .action, priceKey: .price)
    }
}
