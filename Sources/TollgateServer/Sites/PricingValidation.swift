import TollgateCore

/// `PricingPolicy.validationIssues()` as a 422 problem: one field error per issue, each named by its path in the
/// request (`pricing.path_rules[2].pattern`), with a message that says how to fix it.
enum PricingValidation {
    static func check(_ policy: PricingPolicy, field prefix: String = "pricing") throws {
        let issues = policy.validationIssues()
        guard !issues.isEmpty else { return }
        throw Problem.invalid(issues.map { Problem.FieldError(field: "\(prefix).\($0.field)", message: message(for: $0.problem, prefix: prefix)) })
    }

    static func message(for problem: PricingPolicyIssue.Problem, prefix: String) -> String {
        switch problem {
        case .currencyMismatch(let expected, let found):
            "is in \(found) but the policy's currency is \(expected); every price in a policy uses the policy's currency"
        case .negativePrice(let money):
            "\(money) is negative; a price is zero (free) or more"
        case .badPattern(let error):
            "\(error); patterns use robots.txt syntax, like /articles/* or /*.pdf$"
        case .duplicatePattern(let pattern, let firstAt):
            "\"\(pattern)\" matches the same paths as \(prefix).\(firstAt); remove one of them"
        case .emptyCrawler:
            "must name the crawler by its product token, like GPTBot"
        case .duplicateCrawler(let crawler, let firstAt):
            "\"\(crawler)\" is already overridden at \(prefix).\(firstAt) (names are compared case-insensitively); merge the two"
        }
    }
}
