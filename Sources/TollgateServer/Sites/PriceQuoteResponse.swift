import TollgateCore

/// The preview of what a site's edge would answer: `free`, `price` (with the amount and its pay-per-crawl header
/// form) or `blocked` (with the reason), computed from the site's current `site_version`.
struct PriceQuoteResponse: Encodable, Sendable {
    let result: String
    let price: Money?
    let priceString: String?
    let reason: String?
    let siteVersion: Int64

    init(_ quote: PriceQuote?, site: Site) {
        siteVersion = site.version
        switch quote {
        case nil:
            (result, price, priceString, reason) = ("free", nil, nil, "pay-per-crawl is off for this site")
        case .free:
            (result, price, priceString, reason) = ("free", nil, nil, nil)
        case .price(let money):
            // Quotes are positive (a zero price is quoted as free), so the header form always exists.
            (result, price, priceString, reason) = ("price", money, try? money.priceString(), nil)
        case .blocked(let why):
            (result, price, priceString, reason) = ("blocked", nil, nil, why.description)
        }
    }

    enum CodingKeys: String, CodingKey {
        case result, price, reason
        case priceString = "price_string", siteVersion = "site_version"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(result, forKey: .result)
        try container.encodeIfPresent(price, forKey: .price)
        try container.encodeIfPresent(priceString, forKey: .priceString)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(siteVersion, forKey: .siteVersion)
    }
}
