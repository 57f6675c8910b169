import Foundation

/// Where a crawl token may be used: everywhere, or on listed tenants (all their sites) and/or listed sites.
public enum CrawlTokenScope: Sendable, Hashable {
    case all
    case restricted(tenants: Set<UUID>, sites: Set<UUID>)

    public func allows(tenantID: UUID, siteID: UUID) -> Bool {
        switch self {
        case .all: true
        case .restricted(let tenants, let sites): tenants.contains(tenantID) || sites.contains(siteID)
        }
    }

    /// A restricted scope must name something, or the token would be useless.
    var isEmpty: Bool {
        if case .restricted(let tenants, let sites) = self { return tenants.isEmpty && sites.isEmpty }
        return false
    }
}

/// JSON: `{"all":true}` or `{"tenants":[uuid...],"sites":[uuid...]}` with sorted lower-case UUIDs, so the same
/// scope always encodes to the same bytes.
extension CrawlTokenScope: Codable {
    private enum CodingKeys: String, CodingKey {
        case all
        case tenants
        case sites
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decodeIfPresent(Bool.self, forKey: .all) == true {
            self = .all
            return
        }
        let tenants = try container.decodeIfPresent([UUID].self, forKey: .tenants) ?? []
        let sites = try container.decodeIfPresent([UUID].self, forKey: .sites) ?? []
        self = .restricted(tenants: Set(tenants), sites: Set(sites))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .all:
            try container.encode(true, forKey: .all)
        case .restricted(let tenants, let sites):
            try container.encode(tenants.map { $0.uuidString.lowercased() }.sorted(), forKey: .tenants)
            try container.encode(sites.map { $0.uuidString.lowercased() }.sorted(), forKey: .sites)
        }
    }
}
