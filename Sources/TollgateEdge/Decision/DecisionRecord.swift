import Foundation

/// Why a request was treated as it was: for the access log, metrics and the `X-Tollgate-*` upstream headers.
public struct DecisionRecord: Sendable, Hashable {
    /// `pass`, `charge`, `payment_required`, `block`, `error`, …
    public var action: String
    /// `stage.rule`, e.g. `pricing.free_path`, `blocklist.ip`, `identity.invalid_signature`.
    public var reason: String
    public var siteID: UUID?
    /// The product token of an identified crawler.
    public var crawler: String?
    /// The price charged or asked, as a price string (`USD 0.01`).
    public var price: String?

    public init(action: String, reason: String, siteID: UUID? = nil, crawler: String? = nil, price: String? = nil) {
        self.action = action
        self.reason = reason
        self.siteID = siteID
        self.crawler = crawler
        self.price = price
    }
}
