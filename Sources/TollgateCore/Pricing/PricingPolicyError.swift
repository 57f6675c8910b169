/// A pricing policy failed validation; `issues` lists every problem found, each with its field.
public struct PricingPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public let issues: [PricingPolicyIssue]

    public init(issues: [PricingPolicyIssue]) {
        self.issues = issues
    }

    public var description: String {
        "invalid pricing policy: " + issues.map(\.description).joined(separator: "; ")
    }
}
