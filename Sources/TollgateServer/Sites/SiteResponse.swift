import Foundation
import TollgateCore

/// A site as the API shows it; `pricing` is null while pay-per-crawl is off, `license_url` while it has none.
struct SiteResponse: Encodable, Sendable {
    let site: Site

    init(_ site: Site) { self.site = site }

    enum CodingKeys: String, CodingKey {
        case id, name, hostnames, status, version, pricing
        case licenseURL = "license_url"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(site.id, forKey: .id)
        try container.encode(site.name, forKey: .name)
        try container.encode(site.hostnames, forKey: .hostnames)
        try container.encode(site.status, forKey: .status)
        try container.encode(site.version, forKey: .version)
        try container.encode(site.pricing, forKey: .pricing)
        try container.encode(site.licenseURL, forKey: .licenseURL)
        try container.encode(site.createdAt, forKey: .createdAt)
        try container.encode(site.updatedAt, forKey: .updatedAt)
    }
}
