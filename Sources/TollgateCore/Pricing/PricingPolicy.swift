/// A site's pay-per-crawl price list. The control plane stores it as JSON and the edge receives it in sync; the
/// edge compiles it once into a `PriceQuoter`. How the parts combine is documented on `PriceQuoter`.
public struct PricingPolicy: Sendable, Hashable {
    /// Paths that are never charged or blocked (pay-per-crawl §1.6), compared with the request path sans query.
    public static let alwaysFreePaths: Set<String> = [
        "/robots.txt", "/sitemap.xml", "/security.txt", "/.well-known/security.txt", "/crawlers.json",
    ]

    /// The currency every price in the policy must use.
    public var currency: Currency
    /// The price when nothing more specific applies; nil means such requests are free.
    public var defaultPrice: Money?
    /// Statements per purpose (price, free or block), replacing the default for that purpose.
    public var purposes: [CrawlPurpose: PricingAction]
    /// Extra always-free patterns (robots.txt syntax), like Cloudflare's "Disable Pay Per Crawl" rules.
    public var freePaths: [String]
    /// Per-path statements; the longest matching pattern wins.
    public var pathRules: [PathPriceRule]
    /// Per-crawler statements.
    public var crawlerOverrides: [CrawlerPriceOverride]
    /// In-band pricing (pay-per-crawl §1.5): a request this policy prices goes to the origin with
    /// `cf-pay-per-crawl: …, pricing=in-band`, and a `crawler-price` in the origin's answer replaces the policy's price
    /// for that request (`USD 0.00` makes it free).
    public var inBand: Bool

    public init(
        currency: Currency, defaultPrice: Money? = nil, purposes: [CrawlPurpose: PricingAction] = [:],
        freePaths: [String] = [], pathRules: [PathPriceRule] = [], crawlerOverrides: [CrawlerPriceOverride] = [],
        inBand: Bool = false
    ) {
        self.currency = currency
        self.defaultPrice = defaultPrice
        self.purposes = purposes
        self.freePaths = freePaths
        self.pathRules = pathRules
        self.crawlerOverrides = crawlerOverrides
        self.inBand = inBand
    }
}

/// JSON (snake_case):
/// `{"currency":"USD","default_price":{…},"purposes":{"training":{"action":"price","price":{…}}},`
/// `"free_paths":["/public/*"],"path_rules":[…],"crawler_overrides":[…],"in_band":false}`; absent lists are empty,
/// an absent `in_band` is false.
extension PricingPolicy: Codable {
    private enum CodingKeys: String, CodingKey {
        case currency
        case defaultPrice = "default_price"
        case purposes
        case freePaths = "free_paths"
        case pathRules = "path_rules"
        case crawlerOverrides = "crawler_overrides"
        case inBand = "in_band"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currency = try container.decode(Currency.self, forKey: .currency)
        defaultPrice = try container.decodeIfPresent(Money.self, forKey: .defaultPrice)
        purposes = [:]
        for (name, action) in try container.decodeIfPresent([String: PricingAction].self, forKey: .purposes) ?? [:] {
            guard let purpose = CrawlPurpose(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .purposes, in: container,
                    debugDescription: "unknown purpose \"\(name)\"; expected one of "
                        + CrawlPurpose.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            purposes[purpose] = action
        }
        freePaths = try container.decodeIfPresent([String].self, forKey: .freePaths) ?? []
        pathRules = try container.decodeIfPresent([PathPriceRule].self, forKey: .pathRules) ?? []
        crawlerOverrides = try container.decodeIfPresent([CrawlerPriceOverride].self, forKey: .crawlerOverrides) ?? []
        inBand = try container.decodeIfPresent(Bool.self, forKey: .inBand) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(currency, forKey: .currency)
        try container.encodeIfPresent(defaultPrice, forKey: .defaultPrice)
        var purposeMap: [String: PricingAction] = [:]
        for (purpose, action) in purposes { purposeMap[purpose.rawValue] = action }
        try container.encode(purposeMap, forKey: .purposes)
        try container.encode(freePaths, forKey: .freePaths)
        try container.encode(pathRules, forKey: .pathRules)
        try container.encode(crawlerOverrides, forKey: .crawlerOverrides)
        try container.encode(inBand, forKey: .inBand)
    }
}
