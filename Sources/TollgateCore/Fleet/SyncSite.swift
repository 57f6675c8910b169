import Foundation

/// A protected site as the edge needs it: which hostnames it answers for and its price list.
public struct SyncSite: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case active, archived
    }

    public var id: UUID
    public var tenantID: UUID
    public var name: String
    /// Lower-case hostnames without port.
    public var hostnames: [String]
    public var status: Status
    /// nil: the site charges nothing (every request passes unpriced).
    public var pricing: PricingPolicy?
    /// The site's license or terms URL, sent as `Link: <…>; rel="license"` on 402 and charged answers.
    public var licenseURL: String?
    /// The site's own version, bumped by every change.
    public var version: Int64

    public init(
        id: UUID, tenantID: UUID, name: String, hostnames: [String], status: Status, pricing: PricingPolicy?,
        licenseURL: String? = nil, version: Int64
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.hostnames = hostnames
        self.status = status
        self.pricing = pricing
        self.licenseURL = licenseURL
        self.version = version
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, hostnames, status, pricing, version
        case tenantID = "tenant_id"
        case licenseURL = "license_url"
    }
}
