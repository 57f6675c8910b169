import Foundation
import TollgateCore

/// A validated registration.
public struct NewCrawler: Sendable, Equatable {
    public let name: String
    public let productToken: String
    public let userAgent: String
    public let contact: String
    public let purposes: [CrawlPurpose]
    /// The normalised directory URL, if the crawler has one.
    public let keyDirectoryURL: String?
}

/// A validated change; nil fields stay as they are. `keyDirectoryURL` is `.some(nil)` to remove the directory.
public struct CrawlerChange: Sendable, Equatable {
    public var name: String?
    public var userAgent: String?
    public var contact: String?
    public var purposes: [CrawlPurpose]?
    public var keyDirectoryURL: String??

    public var isEmpty: Bool { name == nil && userAgent == nil && contact == nil && purposes == nil && keyDirectoryURL == nil }
}
