import Foundation
import TollgateCore

/// A site with its price list compiled once, so pricing a request does no parsing. A class: every request that
/// finds it takes one reference instead of copying the site's fields.
public final class CompiledSite: Sendable {
    public let site: SyncSite
    /// nil when the site has no price list (nothing is charged) or its list is invalid (logged when compiled).
    public let quoter: PriceQuoter?

    init(site: SyncSite, quoter: PriceQuoter?) {
        self.site = site
        self.quoter = quoter
    }

    public var id: UUID { site.id }
    public var tenantID: UUID { site.tenantID }
}
