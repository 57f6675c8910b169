/// A validated, compiled `PricingPolicy` that answers `(crawler, purpose, path) -> PriceQuote`.
///
/// Precedence, first match wins:
/// 1. always-free paths (`PricingPolicy.alwaysFreePaths`, then the policy's `free_paths`) → free, even for blocked
///    crawlers, as pay-per-crawl exempts them from both charging and blocking;
/// 2. a crawler override that blocks or frees the crawler;
/// 3. the longest matching path rule (ties: the less restrictive, free < lower price < higher price < block,
///    as RFC 9309 prefers allow): free, block, or its price;
/// 4. a crawler override's price;
/// 5. the purpose's statement (free, block or price);
/// 6. the default price, or free when there is none.
/// A resulting price of zero is quoted as `.free`.
public struct PriceQuoter: Sendable {
    public let policy: PricingPolicy
    private let freePatterns: [PathPattern]
    private let pathRules: [(pattern: PathPattern, action: PricingAction)]
    private let crawlerOverrides: [String: CrawlerPriceOverride]

    public init(_ policy: PricingPolicy) throws(PricingPolicyError) {
        try policy.validate()
        self.policy = policy
        // Validation succeeded, so every pattern compiles.
        freePatterns = policy.freePaths.compactMap { try? PathPattern($0) }
        pathRules = policy.pathRules.compactMap { rule in (try? PathPattern(rule.pattern)).map { ($0, rule.action) } }
        var overrides: [String: CrawlerPriceOverride] = [:]
        for override in policy.crawlerOverrides {
            overrides[CrawlerPriceOverride.matchKey(override.crawler)] = override
        }
        crawlerOverrides = overrides
    }

    /// True for the always-free paths and the policy's `free_paths`: never charged and never blocked, whoever asks.
    public func isFreePath(_ path: String) -> Bool {
        let normalizedPath = PathPattern.normalize(path)
        // Normalising keeps `?` (and an encoded one encoded), so the path part ends at the first `?` either way.
        let pathOnly = normalizedPath.firstIndex(of: UInt8(ascii: "?")).map { Array(normalizedPath[..<$0]) } ?? normalizedPath
        if Self.alwaysFreePaths.contains(pathOnly) { return true }
        return freePatterns.contains { $0.matches(normalizedPath: normalizedPath) }
    }

    private static let alwaysFreePaths = Set(PricingPolicy.alwaysFreePaths.map { PathPattern.normalize($0) })

    /// - Parameters:
    ///   - crawler: the crawler's product token or registered id; nil for an unidentified client.
    ///   - path: the request path with its query, as sent (`/a/b?c=d`).
    public func quote(crawler: String?, purpose: CrawlPurpose, path: String) -> PriceQuote {
        if isFreePath(path) { return .free }
        let normalizedPath = PathPattern.normalize(path)

        let override = crawler.flatMap { crawlerOverrides[CrawlerPriceOverride.matchKey($0)] }
        if let override {
            switch override.action {
            case .block: return .blocked(.crawler(override.crawler))
            case .free: return .free
            case .price: break
            }
        }

        if let rule = longestPathRule(for: normalizedPath) {
            switch rule.action {
            case .free: return .free
            case .block: return .blocked(.path(rule.pattern.source))
            case .price(let money): return Self.quote(money)
            }
        }
        if case .price(let money) = override?.action { return Self.quote(money) }
        switch policy.purposes[purpose] {
        case .free: return .free
        case .block: return .blocked(.purpose(purpose))
        case .price(let money): return Self.quote(money)
        case nil: break
        }
        return policy.defaultPrice.map(Self.quote) ?? .free
    }

    private func longestPathRule(for path: [UInt8]) -> (pattern: PathPattern, action: PricingAction)? {
        var best: (pattern: PathPattern, action: PricingAction)?
        for rule in pathRules where rule.pattern.matches(normalizedPath: path) {
            guard let current = best else {
                best = rule
                continue
            }
            if rule.pattern.length > current.pattern.length
                || (rule.pattern.length == current.pattern.length && rule.action.isLessRestrictive(than: current.action))
            {
                best = rule
            }
        }
        return best
    }

    private static func quote(_ money: Money) -> PriceQuote {
        money.isZero ? .free : .price(money)
    }
}
