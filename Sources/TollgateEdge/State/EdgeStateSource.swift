import Foundation
import TollgateCore

/// Everything the agent has been told, as received: the sync entities by id. Deltas are applied here and the whole
/// source is recompiled into an `EdgeState`; it is also what the agent saves as its last-known state.
public struct EdgeStateSource: Sendable {
    public var version: String?
    public var sites: [UUID: SyncSite] = [:]
    public var crawlers: [UUID: SyncCrawler] = [:]
    public var crawlTokenKeys = KeyDirectory(keys: [])
    public var revokedCrawlTokens: [UUID: Date] = [:]
    public var blocklist: [UUID: SyncBlockEntry] = [:]
    public var allowances: [UUID: SyncAllowance] = [:]

    public init() {}

    public init(bundle: SyncBundle) {
        self.init()
        apply(bundle, now: Date())
    }

    /// Applies a full bundle (replacing everything) or a delta (upserting by id; inactive entities are removed).
    public mutating func apply(_ bundle: SyncBundle, now: Date) {
        if bundle.full { self = EdgeStateSource() }
        version = bundle.version
        for site in bundle.sites {
            sites[site.id] = site.status == .active ? site : nil
        }
        for crawler in bundle.crawlers {
            crawlers[crawler.id] = crawler.status == .active ? crawler : nil
        }
        if let keys = bundle.crawlTokenKeys { crawlTokenKeys = keys }
        for token in bundle.revokedCrawlTokens { revokedCrawlTokens[token.tokenID] = token.expiresAt }
        for entry in bundle.blocklist {
            blocklist[entry.id] = entry.deleted ? nil : entry
        }
        for allowance in bundle.allowances { allowances[allowance.crawlerAccountID] = allowance }
        dropExpired(now: now)
    }

    /// Forgets revocations of tokens that have expired anyway, and blocklist entries past their expiry.
    public mutating func dropExpired(now: Date) {
        revokedCrawlTokens = revokedCrawlTokens.filter { $0.value > now }
        blocklist = blocklist.filter { $0.value.expiresAt.map { $0 > now } ?? true }
    }

    /// The source as one full bundle: the last-known state file, and the standalone policy file format.
    public var bundle: SyncBundle {
        SyncBundle(
            version: version ?? "", full: true,
            sites: sites.values.sorted { $0.id.uuidString < $1.id.uuidString },
            crawlers: crawlers.values.sorted { $0.id.uuidString < $1.id.uuidString },
            crawlTokenKeys: crawlTokenKeys,
            revokedCrawlTokens: revokedCrawlTokens.map { SyncRevokedToken(tokenID: $0.key, expiresAt: $0.value) }
                .sorted { $0.tokenID.uuidString < $1.tokenID.uuidString },
            blocklist: blocklist.values.sorted { $0.id.uuidString < $1.id.uuidString },
            allowances: [])
    }
}
