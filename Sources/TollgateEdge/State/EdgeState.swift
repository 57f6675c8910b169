import Foundation
import Logging
import TollgateCore

/// The read-only, compiled form of an `EdgeStateSource` that every request consults (a class, so a request takes
/// one reference rather than one per table). Built off the hot path whenever sync delivers something; requests read
/// whichever instance is current.
public final class EdgeState: Sendable {
    public let version: String?
    public let sitesByHostname: [String: CompiledSite]
    public let crawlers: [UUID: SyncCrawler]
    public let crawlersByProductToken: [String: SyncCrawler]
    public let keys: [String: KnownCrawlerKey]
    public let crawlTokenVerifier: CrawlTokenVerifier
    public let revokedCrawlTokens: [UUID: Date]
    public let blocklist: Blocklist

    /// The state before any sync or policy file: no site is known, so every request is unpriceable.
    public static let empty = EdgeState(source: EdgeStateSource(), logger: nil)

    public init(source: EdgeStateSource, logger: Logger?) {
        version = source.version
        var sites: [String: CompiledSite] = [:]
        for site in source.sites.values where site.status == .active {
            var quoter: PriceQuoter?
            if let pricing = site.pricing {
                do {
                    quoter = try PriceQuoter(pricing)
                } catch {
                    logger?.error("site price list refused; the site is served unpriced", metadata: [
                        "site_id": "\(site.id)", "error": "\(error)",
                    ])
                }
            }
            let compiled = CompiledSite(site: site, quoter: quoter)
            for hostname in site.hostnames { sites[hostname.lowercased()] = compiled }
        }
        sitesByHostname = sites
        crawlers = source.crawlers
        var byToken: [String: SyncCrawler] = [:]
        var keys: [String: KnownCrawlerKey] = [:]
        for crawler in source.crawlers.values where crawler.status == .active {
            byToken[crawler.productToken.lowercased()] = crawler
            for key in crawler.keys {
                guard let publicKey = try? key.jwk.ed25519PublicKey() else { continue }
                keys[key.thumbprint] = KnownCrawlerKey(
                    publicKey: publicKey, crawlerID: crawler.id, notBefore: key.notBefore, expiresAt: key.expiresAt)
            }
        }
        crawlersByProductToken = byToken
        self.keys = keys
        crawlTokenVerifier = CrawlTokenVerifier(
            publicKeys: CrawlTokenPublicKeySet(directory: source.crawlTokenKeys), clockSkew: 30)
        revokedCrawlTokens = source.revokedCrawlTokens
        blocklist = Blocklist(source.blocklist.values)
    }

    /// The site claiming a hostname: exact first, then the nearest `*.parent` wildcard.
    public func site(forHostname hostname: String) -> CompiledSite? {
        if let site = sitesByHostname[hostname] { return site }
        var rest = Substring(hostname)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if let site = sitesByHostname["*." + rest] { return site }
        }
        return nil
    }

    /// The account that pays for `crawler` in `currency`: the first of its operator's accounts in that currency.
    public func account(of crawler: SyncCrawler, in currency: Currency) -> UUID? {
        crawler.accounts.first { $0.currency == currency }?.id
    }
}
