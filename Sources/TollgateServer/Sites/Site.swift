import Foundation
import TollgateCore

/// A web property a tenant protects: the host names its edge agents answer for, and its pay-per-crawl prices.
public struct Site: Sendable, Equatable {
    public let id: UUID
    public var name: String
    /// Lowercase DNS names, in the order the tenant gave them, without duplicates.
    public var hostnames: [String]
    public var status: SiteStatus
    /// Starts at 1 and grows by one with every change, so edge agents can tell which state they hold.
    public var version: Int64
    /// Nil while pay-per-crawl is off for the site.
    public var pricing: PricingPolicy?
    /// The license or terms page the edge links on 402 and charged answers; nil when the site has none.
    public var licenseURL: String?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String, hostnames: [String], status: SiteStatus, version: Int64, pricing: PricingPolicy?,
        licenseURL: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.hostnames = hostnames
        self.status = status
        self.version = version
        self.pricing = pricing
        self.licenseURL = licenseURL
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
