import Foundation
import TollgateCore

/// A crawler as tenants see it in the registry. The detail view adds its usable keys, so a tenant can tell which
/// `keyid`s identify it and whether each was proven by a signed directory or only uploaded.
struct RegistryCrawlerResponse: Encodable, Sendable {
    let entry: CrawlerRegistryEntry
    /// nil in lists; the keys that are usable now or will be (pending) in the detail view.
    let keys: [CrawlerKey]?
    let now: Date

    init(_ entry: CrawlerRegistryEntry, keys: [CrawlerKey]? = nil, now: Date = Date()) {
        self.entry = entry
        self.keys = keys?.filter { [.active, .pending].contains($0.status(at: now)) }
        self.now = now
    }

    enum CodingKeys: String, CodingKey {
        case id, name, productToken = "product_token", userAgent = "user_agent", contact, purposes, crawlerOperator = "operator"
        case verified, verifiedAt = "verified_at", keyCount = "key_count", verifiedKeyCount = "verified_key_count"
        case keyDirectoryURL = "key_directory_url", createdAt = "created_at", keys
    }

    enum OperatorKeys: String, CodingKey {
        case id, name
    }

    func encode(to encoder: any Encoder) throws {
        let crawler = entry.crawler
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(crawler.id, forKey: .id)
        try container.encode(crawler.name, forKey: .name)
        try container.encode(crawler.productToken, forKey: .productToken)
        try container.encode(crawler.userAgent, forKey: .userAgent)
        try container.encode(crawler.contact, forKey: .contact)
        try container.encode(crawler.purposes, forKey: .purposes)
        var owner = container.nestedContainer(keyedBy: OperatorKeys.self, forKey: .crawlerOperator)
        try owner.encode(crawler.operatorID, forKey: .id)
        try owner.encode(entry.operatorName, forKey: .name)
        try container.encode(crawler.verified, forKey: .verified)
        try container.encode(crawler.verifiedAt, forKey: .verifiedAt)
        try container.encode(entry.activeKeys, forKey: .keyCount)
        try container.encode(entry.verifiedKeys, forKey: .verifiedKeyCount)
        try container.encode(crawler.directory?.url, forKey: .keyDirectoryURL)
        try container.encode(crawler.createdAt, forKey: .createdAt)
        if let keys { try container.encode(keys.map { CrawlerKeyResponse(key: $0, now: now) }, forKey: .keys) }
    }
}
