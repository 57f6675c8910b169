import Foundation
import TollgateCore

/// A crawler as its operator sees it: every field, the directory's fetch state and all keys, revoked ones included.
struct CrawlerResponse: Encodable, Sendable {
    let crawler: Crawler
    let keys: [CrawlerKey]
    let now: Date

    init(_ crawler: Crawler, keys: [CrawlerKey], now: Date = Date()) {
        self.crawler = crawler
        self.keys = keys.filter { $0.crawlerID == crawler.id }
        self.now = now
    }

    static func load(_ crawlers: [Crawler], from repository: any CrawlerRepository) async throws -> [CrawlerResponse] {
        let keys = try await repository.keys(crawlerIDs: crawlers.map(\.id))
        let now = Date()
        return crawlers.map { CrawlerResponse($0, keys: keys, now: now) }
    }

    enum CodingKeys: String, CodingKey {
        case id, operatorID = "operator_id", name, productToken = "product_token", userAgent = "user_agent", contact, purposes
        case status, verified, verifiedAt = "verified_at", directory, keys
        case createdAt = "created_at", updatedAt = "updated_at", revokedAt = "revoked_at"
    }

    enum DirectoryKeys: String, CodingKey {
        case url, status, lastFetchedAt = "last_fetched_at", lastCheckedAt = "last_checked_at", nextRefreshAt = "next_refresh_at"
        case lastError = "last_error", consecutiveFailures = "consecutive_failures"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(crawler.id, forKey: .id)
        try container.encode(crawler.operatorID, forKey: .operatorID)
        try container.encode(crawler.name, forKey: .name)
        try container.encode(crawler.productToken, forKey: .productToken)
        try container.encode(crawler.userAgent, forKey: .userAgent)
        try container.encode(crawler.contact, forKey: .contact)
        try container.encode(crawler.purposes, forKey: .purposes)
        try container.encode(crawler.status, forKey: .status)
        try container.encode(crawler.verified, forKey: .verified)
        try container.encode(crawler.verifiedAt, forKey: .verifiedAt)
        if let directory = crawler.directory {
            var nested = container.nestedContainer(keyedBy: DirectoryKeys.self, forKey: .directory)
            try nested.encode(directory.url, forKey: .url)
            try nested.encode(directory.status, forKey: .status)
            try nested.encode(directory.lastFetchedAt, forKey: .lastFetchedAt)
            try nested.encode(directory.lastCheckedAt, forKey: .lastCheckedAt)
            try nested.encode(directory.nextRefreshAt, forKey: .nextRefreshAt)
            try nested.encode(directory.lastError, forKey: .lastError)
            try nested.encode(directory.consecutiveFailures, forKey: .consecutiveFailures)
        } else {
            try container.encodeNil(forKey: .directory)
        }
        try container.encode(keys.map { CrawlerKeyResponse(key: $0, now: now) }, forKey: .keys)
        try container.encode(crawler.createdAt, forKey: .createdAt)
        try container.encode(crawler.updatedAt, forKey: .updatedAt)
        try container.encode(crawler.revokedAt, forKey: .revokedAt)
    }
}
