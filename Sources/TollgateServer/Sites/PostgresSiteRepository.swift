import Foundation
import PostgresNIO
import TollgateCore

public struct PostgresSiteRepository: SiteRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    private static let columns = "id, name, hostnames, status, version, pricing::text, license_url, created_at, updated_at"

    public func create(tenantID: UUID, _ site: NewSite, audit: (Site) -> AuditRecord) async throws -> Site {
        let pricing = try site.pricing.map(Self.encode)
        return try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO sites (tenant_id, name, hostnames, pricing, license_url)
                VALUES (\(tenantID), \(site.name), \(site.hostnames), \(pricing)::jsonb, \(site.licenseURL))
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            let created = try await Self.sites(rows)[0]
            try await claim(created.hostnames, for: created.id, tenantID: tenantID, on: connection)
            try await AuditLog.append(audit(created), tenantID: tenantID, on: connection, logger: database.logger)
            return created
        }
    }

    public func sites(tenantID: UUID, status: SiteStatusFilter, limit: Int, after: UUID?) async throws -> [Site] {
        let statuses = status == .all ? SiteStatus.allCases.map(\.rawValue) : [status.rawValue]
        return try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM sites
                WHERE tenant_id = \(tenantID) AND status = ANY(\(statuses))
                  \(pageAfter: after, of: "sites", limit: limit)
                """, logger: database.logger)
            return try await Self.sites(rows)
        }
    }

    public func site(tenantID: UUID, id: UUID) async throws -> Site? {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM sites WHERE tenant_id = \(tenantID) AND id = \(id)", logger: database.logger)
            return try await Self.sites(rows).first
        }
    }

    public func ownedSiteIDs(tenantID: UUID, among ids: [UUID]) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return try await database.withTenant(tenantID) { connection in
            var owned: Set<UUID> = []
            for try await id in try await connection.query(
                "SELECT id FROM sites WHERE tenant_id = \(tenantID) AND id = ANY(\(ids))", logger: database.logger
            ).decode(UUID.self) {
                owned.insert(id)
            }
            return owned
        }
    }

    public func update(
        tenantID: UUID, id: UUID, _ change: SiteChange, audit: (_ before: Site, _ after: Site) -> AuditRecord
    ) async throws -> Site {
        try await database.withTenant(tenantID) { connection in
            // The row lock serialises changes to one site, so each starts from the version the last one wrote.
            let locked = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM sites WHERE tenant_id = \(tenantID) AND id = \(id) FOR UPDATE",
                logger: database.logger)
            guard let before = try await Self.sites(locked).first else { throw SiteError.notFound }
            guard before.status == .active else { throw SiteError.archived }
            guard let wanted = change.applied(to: before) else { return before }

            let pricing = try wanted.pricing.map(Self.encode)
            let rows = try await connection.query(
                """
                UPDATE sites SET name = \(wanted.name), hostnames = \(wanted.hostnames), pricing = \(pricing)::jsonb, license_url = \(wanted.licenseURL),
                                 status = \(wanted.status.rawValue), version = version + 1, updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            let after = try await Self.sites(rows)[0]
            if after.hostnames != before.hostnames || after.status != before.status {
                try await connection.query("DELETE FROM site_hostnames WHERE site_id = \(id)", logger: database.logger)
                if after.status == .active {
                    try await claim(after.hostnames, for: id, tenantID: tenantID, on: connection)
                }
            }
            try await AuditLog.append(audit(before, after), tenantID: tenantID, on: connection, logger: database.logger)
            return after
        }
    }

    /// Registers the site's host names; ON CONFLICT DO NOTHING leaves out names another live site holds (whose
    /// rows row-level security hides from us), and any left out fail the whole transaction.
    private func claim(_ hostnames: [String], for siteID: UUID, tenantID: UUID, on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            INSERT INTO site_hostnames (hostname, site_id, tenant_id)
            SELECT hostname, \(siteID), \(tenantID) FROM unnest(\(hostnames)::text[]) AS hostname
            ON CONFLICT (hostname) DO NOTHING
            RETURNING hostname
            """, logger: database.logger)
        var claimed: Set<String> = []
        for try await hostname in rows.decode(String.self) { claimed.insert(hostname) }
        let taken = hostnames.filter { !claimed.contains($0) }
        if !taken.isEmpty { throw SiteError.hostnamesTaken(taken) }
    }

    private static func encode(_ pricing: PricingPolicy) throws -> String {
        String(decoding: try JSONEncoder().encode(pricing), as: UTF8.self)
    }

    private static func sites(_ rows: PostgresRowSequence) async throws -> [Site] {
        var result: [Site] = []
        for try await (id, name, hostnames, status, version, pricing, licenseURL, created, updated) in rows.decode(
            (UUID, String, [String], String, Int64, String?, String?, Date, Date).self)
        {
            guard let status = SiteStatus(rawValue: status) else { throw SiteStorageError.unknownStatus(status, site: id) }
            let policy: PricingPolicy?
            do {
                policy = try pricing.map { try JSONDecoder().decode(PricingPolicy.self, from: Data($0.utf8)) }
            } catch {
                throw SiteStorageError.unreadablePricing(site: id, error)
            }
            result.append(
                Site(
                    id: id, name: name, hostnames: hostnames, status: status, version: version, pricing: policy, licenseURL: licenseURL,
                    createdAt: created, updatedAt: updated))
        }
        return result
    }
}
