import TollgateCore

/// Builds forward plans with the headers every forwarded request carries: `cf-pay-per-crawl` (so origins written
/// for Cloudflare work unchanged) and `X-Tollgate-*` naming the decision, with any client-sent copies removed.
public enum Forwarding {
    public static let actionHeader = "x-tollgate-action"
    public static let reasonHeader = "x-tollgate-reason"
    /// The verified crawler's product token; absent unless a signature or crawl token proved it.
    public static let crawlerHeader = "x-tollgate-crawler"

    public enum Pricing: Sendable {
        case zoneDefault, inBand, bypass

        /// The `cf-pay-per-crawl` value, spelled out whole rather than formatted per request.
        var originHeaderValue: String {
            switch self {
            case .zoneDefault: "protocol=cloudflare, pricing=zone-default"
            case .inBand: "protocol=cloudflare, pricing=in-band"
            case .bypass: "protocol=cloudflare, pricing=bypass"
            }
        }
    }

    private static let removedAlways = [crawlerHeader]
    private static let removedWithCrawlToken = [crawlerHeader, "authorization"]

    public static func plan(
        _ context: DecisionContext, record: DecisionRecord, pricing: Pricing, hook: (any UpstreamResponseHook)?
    ) -> ForwardPlan {
        var headers: [(name: String, value: String)] = [
            (PayPerCrawlHeader.origin, pricing.originHeaderValue),
            (actionHeader, record.action),
            (reasonHeader, record.reason),
        ]
        var removed = removedAlways
        if let name = context.identity?.name { headers.append((crawlerHeader, name)) }
        if case .crawlToken = context.identity?.proof { removed = removedWithCrawlToken }
        // Unless a hook reads it (in-band pricing), an origin's crawler-price is stripped on every priced site.
        let hook = hook ?? (context.site?.quoter != nil ? OriginPriceHook() : nil)
        return ForwardPlan(requestHeaders: headers, removedRequestHeaders: removed, onResponse: hook, record: record)
    }
}
