extension PricingPolicy {
    /// Every problem in the policy, each named by its JSON field path; empty when the policy is valid.
    public func validationIssues() -> [PricingPolicyIssue] {
        var issues: [PricingPolicyIssue] = []

        func check(_ action: PricingAction, field: String) {
            guard case .price(let money) = action else { return }
            check(money, field: field)
        }
        func check(_ money: Money, field: String) {
            if money.currency != currency {
                issues.append(.init(field: field, problem: .currencyMismatch(expected: currency, found: money.currency)))
            }
            if money.isNegative { issues.append(.init(field: field, problem: .negativePrice(money))) }
        }

        if let defaultPrice { check(defaultPrice, field: "default_price") }
        for purpose in CrawlPurpose.allCases {
            if let action = purposes[purpose] { check(action, field: "purposes.\(purpose.rawValue).price") }
        }

        // Free paths and path rules share one namespace: a rule identical to a free path could never apply.
        var seenPatterns: [[UInt8]: String] = [:]
        func checkPattern(_ source: String, field: String) {
            do {
                let pattern = try PathPattern(source)
                if let first = seenPatterns[pattern.normalizedKey] {
                    issues.append(.init(field: field, problem: .duplicatePattern(source, firstAt: first)))
                } else {
                    seenPatterns[pattern.normalizedKey] = field
                }
            } catch {
                issues.append(.init(field: field, problem: .badPattern(error)))
            }
        }
        for (index, source) in freePaths.enumerated() { checkPattern(source, field: "free_paths[\(index)]") }
        for (index, rule) in pathRules.enumerated() {
            checkPattern(rule.pattern, field: "path_rules[\(index)].pattern")
            check(rule.action, field: "path_rules[\(index)].price")
        }

        var seenCrawlers: [String: String] = [:]
        for (index, override) in crawlerOverrides.enumerated() {
            let field = "crawler_overrides[\(index)].crawler"
            let key = CrawlerPriceOverride.matchKey(override.crawler)
            if key.isEmpty {
                issues.append(.init(field: field, problem: .emptyCrawler))
            } else if let first = seenCrawlers[key] {
                issues.append(.init(field: field, problem: .duplicateCrawler(override.crawler, firstAt: first)))
            } else {
                seenCrawlers[key] = field
            }
            check(override.action, field: "crawler_overrides[\(index)].price")
        }
        return issues
    }

    public func validate() throws(PricingPolicyError) {
        let issues = validationIssues()
        guard issues.isEmpty else { throw PricingPolicyError(issues: issues) }
    }

    /// Validates, compiles and quotes in one go; an edge quoting many requests keeps a `PriceQuoter` instead.
    public func quote(crawler: String?, purpose: CrawlPurpose, path: String) throws(PricingPolicyError) -> PriceQuote {
        try PriceQuoter(self).quote(crawler: crawler, purpose: purpose, path: path)
    }
}
