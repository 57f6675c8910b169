import Foundation
import TollgateCore

/// Who a request proved to be: a registered crawler by its Web Bot Auth signature, or the holder of a crawl token.
public struct CrawlerIdentity: Sendable {
    public enum Proof: Sendable, Hashable {
        case webBotAuth(keyID: String)
        case crawlToken(tokenID: UUID)
    }

    public let proof: Proof
    /// The registered crawler; nil for a crawl token whose account no synced crawler lists.
    public let crawler: SyncCrawler?
    /// The account a crawl token names; signed requests pay from their crawler's account in the site's currency.
    public let accountID: UUID?
    /// A crawl token's max price, used as `crawler-max-price` when the request sends no price header.
    public let tokenMaxPrice: Money?
    /// Components the signature covers (e.g. `payment-signature` must be among them for an x402 offer).
    public let coveredComponents: Set<String>
    /// Key id + nonce (or a digest of the signature) + URL: the same signed request retried maps to the same key.
    public let requestKey: String?
    /// When the signature lapses (Unix seconds): how long the request key must be remembered.
    public let requestKeyExpires: Int64?

    /// How price lists and blocklists name the crawler.
    public var name: String? { crawler?.productToken }
}
