import Foundation
import TollgateCore

/// A site with its price list compiled once, so pricing a request does no parsing.
public struct CompiledSite: Sendable {
    public let site: SyncSite
    /// nil when the site has no price list (nothing is charged) or its list is invalid (logged when compiled).
    public let quoter: PriceQuoter?

    public var id: UUID { site.id }
    public var tenantID: UUID { site.tenantID }
}
