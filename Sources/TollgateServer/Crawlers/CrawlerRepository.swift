import Foundation
import TollgateCore

/// The crawler registry's storage. Platform-level rows reached in platform transactions; each write appends its
/// audit record to the platform chain in the same transaction.
protocol CrawlerRepository: Sendable {
    /// Throws `CrawlerRegistryError.productTokenTaken`, or `.keyInUse` for a key another crawler holds.
    func create(operatorID: UUID, _ crawler: NewCrawler, keys: [NewCrawlerKey], audit: (UUID) -> AuditRecord) async throws -> Crawler
    func crawler(id: UUID) async throws -> Crawler?
    /// The operator's crawlers, oldest first; `after` is the last crawler of the previous page.
    func crawlers(operatorID: UUID, after: UUID?, limit: Int) async throws -> [Crawler]
    /// The keys of these crawlers, newest first, revoked and expired ones included.
    func keys(crawlerIDs: [UUID]) async throws -> [CrawlerKey]
    /// Throws `.notFound`, `.revoked`. A new or removed directory URL drops the keys the old directory proved.
    func update(id: UUID, _ change: CrawlerChange, audit: AuditRecord) async throws -> Crawler
    /// Throws `.keyExists`, `.keyRevoked`, `.keyInUse`, `.notFound`, `.revoked`.
    func addKey(crawlerID: UUID, _ key: NewCrawlerKey, audit: AuditRecord) async throws -> CrawlerKey
    /// Throws `.keyNotFound` (also for one already revoked), `.notFound`, `.revoked`.
    func revokeKey(crawlerID: UUID, thumbprint: String, audit: AuditRecord) async throws -> CrawlerKey
    /// Revokes the crawler and all its keys; its product token stays taken. Throws `.notFound`, `.revoked`.
    func revoke(id: UUID, audit: AuditRecord) async throws

    /// Stores a verified fetch of `fetched.url`: proven keys added or renewed, keys gone from the directory
    /// revoked, the next refresh scheduled. Throws `.directoryChanged` when the crawler's URL is no longer
    /// `fetched.url`, `.keyInUse` when another crawler's directory already proves one of the keys.
    func recordDirectoryFetch(
        crawlerID: UUID, _ fetched: FetchedKeyDirectory, staleGrace: Int, audit: (DirectoryKeyChanges) -> AuditRecord?
    ) async throws -> DirectoryKeyChanges
    /// Records a failed fetch of `url` and schedules the next try after `backoff(consecutive failures)` seconds;
    /// keys stay as they are. `audit` gets the number of consecutive failures.
    func recordDirectoryFailure(
        crawlerID: UUID, url: String, reason: String, backoff: (Int) -> Int, audit: (Int) -> AuditRecord?
    ) async throws
    /// Directories whose next refresh is due, leased for `lease` seconds so other replicas skip them meanwhile.
    func claimDueDirectories(limit: Int, lease: Int) async throws -> [(crawlerID: UUID, url: String)]
    /// Clears the verified flag of crawlers whose directory-proven keys have all expired; returns how many.
    func reconcileVerification() async throws -> Int

    /// Active crawlers for tenants, by product token; `after` is the last crawler of the previous page.
    func registry(verified: Bool?, after: UUID?, limit: Int) async throws -> [CrawlerRegistryEntry]
    /// One active crawler for tenants.
    func registryEntry(id: UUID) async throws -> CrawlerRegistryEntry?
}
