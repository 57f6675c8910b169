import Crypto
import Foundation
import Logging
import PostgresNIO
import TollgateCore

/// Sync bundles from PostgreSQL (migration 0009 explains the versions): every query of one bundle runs in one
/// REPEATABLE READ snapshot whose xmin is the bundle's version, and a delta takes the rows with sync_xid >= since.
/// The tenant's own rows are reached under row-level security; the crawler registry and the crawl-token keys are
/// platform tables every tenant reads.
struct PostgresFleetSyncRepository: FleetSyncRepository {
    let database: Database

    func bundle(tenantID: UUID, agentID: UUID, since: SyncVersion?) async throws -> SyncBundle {
        let logger = database.logger
        return try await database.withTenantSnapshot(tenantID) { connection in
            let head = try await connection.query(
                """
                SELECT pg_snapshot_xmin(pg_current_snapshot())::text,
                       coalesce(\(since?.description)::xid8 <= pg_snapshot_xmin(pg_current_snapshot()), false)
                """, logger: logger
            ).decode((String, Bool).self).first { _ in true }
            guard let (version, resumable) = head else { throw FleetSyncError.noSnapshot }
            // A version ahead of this snapshot was never issued here (or comes from a restored database): start over.
            let full = !resumable
            let floor = full ? "0" : since?.description ?? "0"
            return SyncBundle(
                version: version, full: full,
                sites: try await Self.sites(tenantID: tenantID, floor: floor, on: connection, logger: logger),
                crawlers: try await Self.crawlers(floor: floor, on: connection, logger: logger),
                crawlTokenKeys: try await Self.crawlTokenKeys(floor: floor, full: full, on: connection, logger: logger),
                revokedCrawlTokens: try await Self.revokedTokens(floor: floor, on: connection, logger: logger),
                blocklist: try await Self.blocklist(tenantID: tenantID, floor: floor, full: full, on: connection, logger: logger),
                allowances: try await Self.allowances(
                    tenantID: tenantID, agentID: agentID, floor: floor, full: full, on: connection, logger: logger))
        }
    }

    func hasChanges(tenantID: UUID, agentID: UUID, since: SyncVersion) async throws -> Bool {
        let floor = since.description
        return try await database.withTenant(tenantID) { connection in
            // The same conditions as the delta's queries, so a wake-up always has something to send.
            let changed = try await connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM sites WHERE tenant_id = \(tenantID) AND sync_xid >= \(floor)::xid8)
                    OR EXISTS (SELECT 1 FROM crawlers WHERE sync_xid >= \(floor)::xid8)
                    OR EXISTS (SELECT 1 FROM crawler_keys WHERE sync_xid >= \(floor)::xid8)
                    OR EXISTS (SELECT 1 FROM crawler_accounts a WHERE a.sync_xid >= \(floor)::xid8
                                 AND EXISTS (SELECT 1 FROM crawlers c WHERE c.operator_id = a.operator_id))
                    OR EXISTS (SELECT 1 FROM signing_keys WHERE purpose = 'crawl_token' AND sync_xid >= \(floor)::xid8)
                    OR EXISTS (SELECT 1 FROM crawl_tokens
                               WHERE revoked_at IS NOT NULL AND expires_at > now() AND sync_xid >= \(floor)::xid8)
                    OR EXISTS (SELECT 1 FROM blocklist_entries WHERE tenant_id = \(tenantID) AND sync_xid >= \(floor)::xid8)
                    OR EXISTS (SELECT 1 FROM blocklist_entries WHERE tenant_id IS NULL AND sync_xid >= \(floor)::xid8)
                    OR EXISTS (SELECT 1 FROM agent_allowances WHERE agent_id = \(agentID) AND sync_xid >= \(floor)::xid8)
                """, logger: database.logger
            ).decode(Bool.self).first { _ in true }
            return changed ?? false
        }
    }

    // MARK: Parts of a bundle

    private static func sites(tenantID: UUID, floor: String, on connection: PostgresConnection, logger: Logger) async throws -> [SyncSite] {
        let rows = try await connection.query(
            """
            SELECT id, name, hostnames, status, pricing::text, license_url, version FROM sites
            WHERE tenant_id = \(tenantID) AND sync_xid >= \(floor)::xid8
            ORDER BY created_at, id
            """, logger: logger)
        var sites: [SyncSite] = []
        for try await (id, name, hostnames, status, pricing, licenseURL, version) in rows.decode(
            (UUID, String, [String], String, String?, String?, Int64).self)
        {
            guard let status = SyncSite.Status(rawValue: status) else { throw SiteStorageError.unknownStatus(status, site: id) }
            let policy: PricingPolicy?
            do {
                policy = try pricing.map { try JSONDecoder().decode(PricingPolicy.self, from: Data($0.utf8)) }
            } catch {
                throw SiteStorageError.unreadablePricing(site: id, error)
            }
            sites.append(
                SyncSite(
                    id: id, tenantID: tenantID, name: name, hostnames: hostnames, status: status, pricing: policy, licenseURL: licenseURL,
                    version: version))
        }
        return sites
    }

    /// Every crawler whose row, keys or operator's accounts changed, each complete: its usable keys (neither revoked
    /// nor expired; a key missing from the list is no longer accepted) and its operator's active accounts.
    private static func crawlers(floor: String, on connection: PostgresConnection, logger: Logger) async throws -> [SyncCrawler] {
        var crawlers: [SyncCrawler] = []
        for try await (id, operatorID, name, productToken, purposes, status) in try await connection.query(
            """
            SELECT c.id, c.operator_id, c.name, c.product_token, c.purposes, c.status FROM crawlers c
            WHERE c.sync_xid >= \(floor)::xid8
               OR EXISTS (SELECT 1 FROM crawler_keys k WHERE k.crawler_id = c.id AND k.sync_xid >= \(floor)::xid8)
               OR EXISTS (SELECT 1 FROM crawler_accounts a WHERE a.operator_id = c.operator_id AND a.sync_xid >= \(floor)::xid8)
            ORDER BY c.created_at, c.id
            """, logger: logger
        ).decode((UUID, UUID, String, String, [String], String).self) {
            crawlers.append(
                SyncCrawler(
                    id: id, operatorID: operatorID, name: name, productToken: productToken,
                    purposes: try purposes.map { raw in
                        guard let purpose = CrawlPurpose(rawValue: raw) else { throw CrawlerStorageError.unknownValue("purpose", raw) }
                        return purpose
                    },
                    status: SyncCrawler.Status(rawValue: status) ?? .revoked, keys: [], accounts: []))
        }
        guard !crawlers.isEmpty else { return [] }

        var keys: [UUID: [SyncCrawlerKey]] = [:]
        for try await (crawlerID, thumbprint, jwk, notBefore, expiresAt) in try await connection.query(
            """
            SELECT crawler_id, thumbprint, jwk::text, not_before, expires_at FROM crawler_keys
            WHERE crawler_id = ANY(\(crawlers.map(\.id))) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            ORDER BY created_at, thumbprint
            """, logger: logger
        ).decode((UUID, String, String, Date?, Date?).self) {
            let key = try JSONDecoder().decode(JSONWebKey.self, from: Data(jwk.utf8))
            keys[crawlerID, default: []].append(SyncCrawlerKey(thumbprint: thumbprint, jwk: key, notBefore: notBefore, expiresAt: expiresAt))
        }
        var accounts: [UUID: [SyncCrawlerAccount]] = [:]
        for try await (operatorID, id, currency) in try await connection.query(
            """
            SELECT operator_id, id, currency FROM crawler_accounts
            WHERE operator_id = ANY(\(Array(Set(crawlers.map(\.operatorID))))) AND status = 'active'
            ORDER BY created_at, id
            """, logger: logger
        ).decode((UUID, UUID, String).self) {
            accounts[operatorID, default: []].append(SyncCrawlerAccount(id: id, currency: try Currency(currency)))
        }
        return crawlers.map { crawler in
            var crawler = crawler
            crawler.keys = keys[crawler.id] ?? []
            crawler.accounts = accounts[crawler.operatorID] ?? []
            return crawler
        }
    }

    /// The JWKS crawl tokens verify against, in every full bundle and whenever a crawl-token signing key changed:
    /// the active key, and retired keys while tokens they signed are still unexpired.
    private static func crawlTokenKeys(floor: String, full: Bool, on connection: PostgresConnection, logger: Logger) async throws -> KeyDirectory? {
        if !full {
            let changed = try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM signing_keys WHERE purpose = 'crawl_token' AND sync_xid >= \(floor)::xid8)", logger: logger
            ).decode(Bool.self).first { _ in true }
            guard changed == true else { return nil }
        }
        var keys: [Curve25519.Signing.PublicKey] = []
        for try await raw in try await connection.query(
            """
            SELECT public_key FROM signing_keys s
            WHERE purpose = 'crawl_token'
              AND (retired_at IS NULL OR EXISTS (SELECT 1 FROM crawl_tokens t WHERE t.key_id = s.id AND t.expires_at > now()))
            ORDER BY created_at
            """, logger: logger
        ).decode(ByteBuffer.self) {
            keys.append(try Curve25519.Signing.PublicKey(rawRepresentation: raw.readableBytesView))
        }
        return CrawlTokenPublicKeySet(keys).directory
    }

    private static func revokedTokens(floor: String, on connection: PostgresConnection, logger: Logger) async throws -> [SyncRevokedToken] {
        var tokens: [SyncRevokedToken] = []
        for try await (id, expiresAt) in try await connection.query(
            """
            SELECT id, expires_at FROM crawl_tokens
            WHERE revoked_at IS NOT NULL AND expires_at > now() AND sync_xid >= \(floor)::xid8
            ORDER BY expires_at, id
            """, logger: logger
        ).decode((UUID, Date).self) {
            tokens.append(SyncRevokedToken(tokenID: id, expiresAt: expiresAt))
        }
        return tokens
    }

    /// The tenant's entries and the platform's (`tenant_id` NULL). A full bundle holds the live entries; a delta also
    /// carries deleted ones (`deleted: true`) so the edge drops them.
    private static func blocklist(
        tenantID: UUID, floor: String, full: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> [SyncBlockEntry] {
        var entries: [SyncBlockEntry] = []
        for try await (id, tenantID, scope, value, action, reason, expiresAt, deleted) in try await connection.query(
            """
            SELECT id, tenant_id, scope, value, action, reason, expires_at, deleted_at IS NOT NULL FROM blocklist_entries
            WHERE (tenant_id = \(tenantID) OR tenant_id IS NULL) AND sync_xid >= \(floor)::xid8
              AND (NOT \(full) OR (deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())))
            ORDER BY created_at, id
            """, logger: logger
        ).decode((UUID, UUID?, String, String, String, String, Date?, Bool).self) {
            guard let scope = SyncBlockEntry.Scope(rawValue: scope), let action = SyncBlockEntry.Action(rawValue: action) else {
                throw FleetSyncError.unknownValue("blocklist entry \(id)", "\(scope) \(action)")
            }
            entries.append(
                SyncBlockEntry(
                    id: id, tenantID: tenantID, scope: scope, value: value, action: action, reason: reason, expiresAt: expiresAt,
                    deleted: deleted))
        }
        return entries
    }

    private static func allowances(
        tenantID: UUID, agentID: UUID, floor: String, full: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> [SyncAllowance] {
        try await PostgresAllowanceRepository.allowances(
            connection.query(
                """
                SELECT \(unescaped: PostgresAllowanceRepository.columns) FROM agent_allowances
                WHERE agent_id = \(agentID) AND tenant_id = \(tenantID) AND sync_xid >= \(floor)::xid8
                  AND (NOT \(full) OR expires_at > now())
                ORDER BY crawler_account_id
                """, logger: logger))
    }
}
