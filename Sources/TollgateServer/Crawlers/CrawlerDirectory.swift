import Foundation

/// Where a crawler's Web Bot Auth key directory lives and how its last fetches went.
public struct CrawlerDirectory: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Not fetched yet.
        case pending
        /// The last fetch returned a directory whose signature verified.
        case ok
        /// The last fetch failed; `lastError` says why, and keys from earlier fetches stay until they expire.
        case failed
    }

    public let url: String
    public let status: Status
    /// The last fetch whose signature verified.
    public let lastFetchedAt: Date?
    /// The last attempt, successful or not.
    public let lastCheckedAt: Date?
    public let nextRefreshAt: Date?
    public let lastError: String?
    public let consecutiveFailures: Int
}
