import Foundation
import TollgateCore

/// A charge about to be spooled; the spool gives it its sequence number.
public struct UsageDraft: Sendable, Hashable {
    public var crawlerAccountID: UUID
    public var siteID: UUID
    public var url: String
    public var price: Money
    public var requestKey: String?

    public init(crawlerAccountID: UUID, siteID: UUID, url: String, price: Money, requestKey: String?) {
        self.crawlerAccountID = crawlerAccountID
        self.siteID = siteID
        self.url = url
        self.price = price
        self.requestKey = requestKey
    }
}
