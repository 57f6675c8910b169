import Foundation

/// One answer of `GET /v1/agent/sync`: the whole state (`full`) or the changes since the version the agent sent.
///
/// Every entity is an upsert keyed by its id; removals travel as the same entity with an inactive status
/// (`archived` site, `revoked` crawler, `deleted` block entry), so applying a delta never needs a second message.
/// Applying the same bundle twice leaves the same state. `version` is opaque: send it back as `since`.
public struct SyncBundle: Sendable, Hashable, Codable {
    public var version: String
    /// True when this replaces everything the agent holds (first sync, or its version is too old to resume).
    public var full: Bool
    public var sites: [SyncSite]
    public var crawlers: [SyncCrawler]
    /// The public keys that sign crawl tokens (a JWKS: `{"keys":[…]}`), always complete.
    public var crawlTokenKeys: KeyDirectory?
    public var revokedCrawlTokens: [SyncRevokedToken]
    public var blocklist: [SyncBlockEntry]
    public var allowances: [SyncAllowance]

    public init(
        version: String, full: Bool, sites: [SyncSite] = [], crawlers: [SyncCrawler] = [],
        crawlTokenKeys: KeyDirectory? = nil, revokedCrawlTokens: [SyncRevokedToken] = [],
        blocklist: [SyncBlockEntry] = [], allowances: [SyncAllowance] = []
    ) {
        self.version = version
        self.full = full
        self.sites = sites
        self.crawlers = crawlers
        self.crawlTokenKeys = crawlTokenKeys
        self.revokedCrawlTokens = revokedCrawlTokens
        self.blocklist = blocklist
        self.allowances = allowances
    }

    /// True when a delta carries nothing (a long poll that timed out).
    public var isEmpty: Bool {
        !full && sites.isEmpty && crawlers.isEmpty && crawlTokenKeys == nil && revokedCrawlTokens.isEmpty
            && blocklist.isEmpty && allowances.isEmpty
    }

    private enum CodingKeys: String, CodingKey {
        case version, full, sites, crawlers, blocklist, allowances
        case crawlTokenKeys = "crawl_token_keys"
        case revokedCrawlTokens = "revoked_crawl_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        full = try container.decode(Bool.self, forKey: .full)
        sites = try container.decodeIfPresent([SyncSite].self, forKey: .sites) ?? []
        crawlers = try container.decodeIfPresent([SyncCrawler].self, forKey: .crawlers) ?? []
        crawlTokenKeys = try container.decodeIfPresent(KeyDirectory.self, forKey: .crawlTokenKeys)
        revokedCrawlTokens = try container.decodeIfPresent([SyncRevokedToken].self, forKey: .revokedCrawlTokens) ?? []
        blocklist = try container.decodeIfPresent([SyncBlockEntry].self, forKey: .blocklist) ?? []
        allowances = try container.decodeIfPresent([SyncAllowance].self, forKey: .allowances) ?? []
    }
}
