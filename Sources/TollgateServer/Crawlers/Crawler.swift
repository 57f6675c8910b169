import Foundation
import TollgateCore

/// A crawler in the registry: who runs it, how it names itself, why it crawls, and how it proves its identity.
public struct Crawler: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case active, revoked
    }

    public let id: UUID
    public let operatorID: UUID
    public let name: String
    /// The robots.txt product token (`GPTBot`), unique platform-wide ignoring case.
    public let productToken: String
    public let userAgent: String
    /// An email address or an http(s) URL.
    public let contact: String
    public let purposes: [CrawlPurpose]
    /// nil when the crawler is identified by uploaded keys only.
    public let directory: CrawlerDirectory?
    /// At least one key proven by a signed key directory is usable.
    public let verified: Bool
    /// When a signed directory last proved its keys; nil while not verified.
    public let verifiedAt: Date?
    public let status: Status
    public let createdAt: Date
    public let updatedAt: Date
    public let revokedAt: Date?
}
