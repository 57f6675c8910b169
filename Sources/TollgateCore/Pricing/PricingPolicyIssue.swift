/// One problem in a pricing policy, named by the JSON path of the field (`path_rules[2].pattern`).
public struct PricingPolicyIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        case currencyMismatch(expected: Currency, found: Currency)
        case negativePrice(Money)
        case badPattern(PathPatternError)
        /// The pattern matches the same paths as an earlier one in the same list (given by its field path).
        case duplicatePattern(String, firstAt: String)
        case emptyCrawler
        /// The crawler is overridden twice (case-insensitively), first at the given field path.
        case duplicateCrawler(String, firstAt: String)
    }

    public let field: String
    public let problem: Problem

    public init(field: String, problem: Problem) {
        self.field = field
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .currencyMismatch(let expected, let found): "\(field): price is in \(found) but the policy currency is \(expected)"
        case .negativePrice(let money): "\(field): price \(money) is negative"
        case .badPattern(let error): "\(field): \(error)"
        case .duplicatePattern(let pattern, let firstAt): "\(field): pattern \"\(pattern)\" duplicates \(firstAt)"
        case .emptyCrawler: "\(field): crawler name is empty"
        case .duplicateCrawler(let crawler, let firstAt): "\(field): crawler \"\(crawler)\" is already overridden at \(firstAt)"
        }
    }
}
