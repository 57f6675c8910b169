import Foundation

/// A crawler as tenants see it in the registry: with its operator's name and how many of its keys are usable.
public struct CrawlerRegistryEntry: Sendable, Equatable {
    public let crawler: Crawler
    public let operatorName: String
    /// Keys usable now, uploaded and directory-proven.
    public let activeKeys: Int
    /// Of those, the ones a signed key directory proved.
    public let verifiedKeys: Int
}
