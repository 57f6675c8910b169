import Foundation
import PostgresNIO
import TollgateCore

/// The crawler registry in PostgreSQL (migration 0005). Every write locks the crawler's row first, so changes to one
/// crawler (an operator's edit, a refresh by any replica) apply one after another.
struct PostgresCrawlerRepository: CrawlerRepository {
    let database: Database

    // MARK: Operators' writes

    func create(operatorID: UUID, _ crawler: NewCrawler, keys: [NewCrawlerKey], audit: (UUID) -> AuditRecord) async throws -> Crawler {
        do {
            return try await database.withPlatform { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO crawlers (operator_id, name, product_token, user_agent, contact, purposes, key_directory_url,
                                          directory_status, directory_next_refresh_at)
                    VALUES (\(operatorID), \(crawler.name), \(crawler.productToken), \(crawler.userAgent), \(crawler.contact),
                            \(crawler.purposes.map(\.rawValue))::text[], \(crawler.keyDirectoryURL),
                            CASE WHEN \(crawler.keyDirectoryURL)::text IS NULL THEN 'none' ELSE 'pending' END,
                            CASE WHEN \(crawler.keyDirectoryURL)::text IS NULL THEN NULL ELSE now() END)
                    RETURNING \(unescaped: Self.crawlerColumns)
                    """, logger: database.logger)
                guard let created = try await Self.crawlers(rows).first else { throw CrawlerRegistryError.notFound }
                for key in keys {
                    try await insertUploaded(key, crawlerID: created.id, on: connection)
                }
                try await AuditLog.append(audit(created.id), tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
                return created
            }
        } catch let error as PSQLError where error.isUniqueViolation && error.constraint == "crawlers_product_token_key" {
            throw CrawlerRegistryError.productTokenTaken
        } catch let error as PSQLError where error.isUniqueViolation && error.constraint == "crawler_keys_thumbprint_key" {
            throw CrawlerRegistryError.keyInUse(thumbprint: keys.first?.thumbprint ?? "")
        }
    }

    func update(id: UUID, _ change: CrawlerChange, audit: AuditRecord) async throws -> Crawler {
        try await database.withPlatform { connection in
            let current = try await lockActive(id, on: connection)
            let newURL: String? = change.keyDirectoryURL ?? current.directory?.url
            let urlChanged = newURL != current.directory?.url
            if urlChanged {
                // The old directory's proof does not carry over to another directory.
                try await connection.query(
                    """
                    UPDATE crawler_keys SET revoked_at = now(), revoked_reason = 'removed-from-directory'
                    WHERE crawler_id = \(id) AND source = 'directory' AND revoked_at IS NULL
                    """, logger: database.logger)
            }
            try await connection.query(
                """
                UPDATE crawlers SET
                    name = coalesce(\(change.name), name),
                    user_agent = coalesce(\(change.userAgent), user_agent),
                    contact = coalesce(\(change.contact), contact),
                    purposes = coalesce(\(change.purposes?.map(\.rawValue))::text[], purposes),
                    key_directory_url = \(newURL),
                    directory_status = CASE WHEN NOT \(urlChanged) THEN directory_status
                                            WHEN \(newURL)::text IS NULL THEN 'none' ELSE 'pending' END,
                    directory_fetched_at = CASE WHEN \(urlChanged) THEN NULL ELSE directory_fetched_at END,
                    directory_checked_at = CASE WHEN \(urlChanged) THEN NULL ELSE directory_checked_at END,
                    directory_next_refresh_at = CASE WHEN NOT \(urlChanged) THEN directory_next_refresh_at
                                                     WHEN \(newURL)::text IS NULL THEN NULL ELSE now() END,
                    directory_failures = CASE WHEN \(urlChanged) THEN 0 ELSE directory_failures END,
                    directory_last_error = CASE WHEN \(urlChanged) THEN NULL ELSE directory_last_error END,
                    updated_at = now()
                WHERE id = \(id)
                """, logger: database.logger)
            if urlChanged { _ = try await recomputeVerified(id, provedAt: nil, on: connection) }
            try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
            return try await crawler(id, on: connection)
        }
    }

    func addKey(crawlerID: UUID, _ key: NewCrawlerKey, audit: AuditRecord) async throws -> CrawlerKey {
        do {
            return try await database.withPlatform { connection in
                _ = try await lockActive(crawlerID, on: connection)
                let existing = try await connection.query(
                    "SELECT revoked_at IS NULL, revoked_reason FROM crawler_keys WHERE crawler_id = \(crawlerID) AND thumbprint = \(key.thumbprint)",
                    logger: database.logger
                ).decode((Bool, String?).self).first { _ in true }
                switch existing {
                case (true, _)?: throw CrawlerRegistryError.keyExists(thumbprint: key.thumbprint)
                case (false, "operator")?: throw CrawlerRegistryError.keyRevoked(thumbprint: key.thumbprint)
                case (false, _)?:
                    // Gone from the directory or displaced earlier: the operator now vouches for it.
                    try await refuseHeldElsewhere([key.thumbprint], crawlerID: crawlerID, on: connection)
                    try await connection.query(
                        """
                        UPDATE crawler_keys SET source = 'uploaded', jwk = \(try Self.json(key.jwk))::jsonb, not_before = \(key.notBefore),
                                                expires_at = \(key.expiresAt), revoked_at = NULL, revoked_reason = NULL
                        WHERE crawler_id = \(crawlerID) AND thumbprint = \(key.thumbprint)
                        """, logger: database.logger)
                case nil:
                    try await insertUploaded(key, crawlerID: crawlerID, on: connection)
                }
                try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
                return try await keys([crawlerID], on: connection).first { $0.thumbprint == key.thumbprint }!
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw CrawlerRegistryError.keyInUse(thumbprint: key.thumbprint)
        }
    }

    func revokeKey(crawlerID: UUID, thumbprint: String, audit: AuditRecord) async throws -> CrawlerKey {
        try await database.withPlatform { connection in
            _ = try await lockActive(crawlerID, on: connection)
            // A key that left the directory can be revoked too, so it cannot come back with the directory.
            let revoked = try await connection.query(
                """
                UPDATE crawler_keys SET revoked_at = coalesce(revoked_at, now()), revoked_reason = 'operator'
                WHERE crawler_id = \(crawlerID) AND thumbprint = \(thumbprint) AND revoked_reason IS DISTINCT FROM 'operator'
                RETURNING thumbprint
                """, logger: database.logger
            ).decode(String.self).first { _ in true }
            guard revoked != nil else { throw CrawlerRegistryError.keyNotFound(thumbprint: thumbprint) }
            _ = try await recomputeVerified(crawlerID, provedAt: nil, on: connection)
            try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
            return try await keys([crawlerID], on: connection).first { $0.thumbprint == thumbprint }!
        }
    }

    func revoke(id: UUID, audit: AuditRecord) async throws {
        try await database.withPlatform { connection in
            _ = try await lockActive(id, on: connection)
            try await connection.query(
                "UPDATE crawler_keys SET revoked_at = now(), revoked_reason = 'crawler-revoked' WHERE crawler_id = \(id) AND revoked_at IS NULL",
                logger: database.logger)
            try await connection.query(
                """
                UPDATE crawlers SET status = 'revoked', revoked_at = now(), verified = false, verified_at = NULL,
                                    directory_next_refresh_at = NULL, updated_at = now()
                WHERE id = \(id)
                """, logger: database.logger)
            try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
        }
    }

    // MARK: Directory refreshes

    func recordDirectoryFetch(
        crawlerID: UUID, _ fetched: FetchedKeyDirectory, staleGrace: Int, audit: (DirectoryKeyChanges) -> AuditRecord?
    ) async throws -> DirectoryKeyChanges {
        try await database.withPlatform { connection in
            let current = try await lockActive(crawlerID, on: connection)
            guard current.directory?.url == fetched.url else { throw CrawlerRegistryError.directoryChanged }
            var changes = DirectoryKeyChanges(wasVerified: current.verified)
            let thumbprints = fetched.keys.map(\.thumbprint)

            // A signed directory proves possession; an uploaded copy on another crawler only asserts it.
            changes.superseded = try await connection.query(
                """
                UPDATE crawler_keys SET revoked_at = now(), revoked_reason = 'superseded'
                WHERE thumbprint = ANY(\(thumbprints)::text[]) AND crawler_id <> \(crawlerID) AND source = 'uploaded' AND revoked_at IS NULL
                RETURNING thumbprint
                """, logger: database.logger
            ).decode(String.self).gather()
            try await refuseHeldElsewhere(thumbprints, crawlerID: crawlerID, on: connection)

            var existing: [String: (active: Bool, source: String, reason: String?)] = [:]
            for try await (thumbprint, active, source, reason) in try await connection.query(
                "SELECT thumbprint, revoked_at IS NULL, source, revoked_reason FROM crawler_keys WHERE crawler_id = \(crawlerID)",
                logger: database.logger
            ).decode((String, Bool, String, String?).self) {
                existing[thumbprint] = (active, source, reason)
            }
            let cacheEnd = fetched.fetchedAt.addingTimeInterval(TimeInterval(fetched.cacheLifetime + staleGrace))
            for key in fetched.keys {
                let expiresAt = min(key.validity.expires ?? cacheEnd, cacheEnd)
                let jwk = try Self.json(key.jwk)
                switch existing[key.thumbprint] {
                case (_, _, "operator")?:
                    changes.keptRevoked.append(key.thumbprint)
                case let (active, source, _)?:
                    if !active || source != "directory" { changes.added.append(key.thumbprint) }
                    try await connection.query(
                        """
                        UPDATE crawler_keys SET source = 'directory', jwk = \(jwk)::jsonb, not_before = \(key.validity.notBefore),
                                                expires_at = \(expiresAt), revoked_at = NULL, revoked_reason = NULL
                        WHERE crawler_id = \(crawlerID) AND thumbprint = \(key.thumbprint)
                        """, logger: database.logger)
                case nil:
                    changes.added.append(key.thumbprint)
                    try await connection.query(
                        """
                        INSERT INTO crawler_keys (crawler_id, thumbprint, jwk, source, not_before, expires_at)
                        VALUES (\(crawlerID), \(key.thumbprint), \(jwk)::jsonb, 'directory', \(key.validity.notBefore), \(expiresAt))
                        """, logger: database.logger)
                }
            }
            changes.removed = try await connection.query(
                """
                UPDATE crawler_keys SET revoked_at = now(), revoked_reason = 'removed-from-directory'
                WHERE crawler_id = \(crawlerID) AND source = 'directory' AND revoked_at IS NULL
                  AND NOT (thumbprint = ANY(\(thumbprints)::text[]))
                RETURNING thumbprint
                """, logger: database.logger
            ).decode(String.self).gather()
            try await connection.query(
                """
                UPDATE crawlers SET directory_status = 'ok', directory_fetched_at = \(fetched.fetchedAt),
                    directory_checked_at = \(fetched.fetchedAt),
                    directory_next_refresh_at = \(fetched.fetchedAt.addingTimeInterval(TimeInterval(fetched.cacheLifetime))),
                    directory_failures = 0, directory_last_error = NULL, updated_at = now()
                WHERE id = \(crawlerID)
                """, logger: database.logger)
            changes.isVerified = try await recomputeVerified(crawlerID, provedAt: fetched.fetchedAt, on: connection)
            if let record = audit(changes) {
                try await AuditLog.append(record, tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
            }
            return changes
        }
    }

    func recordDirectoryFailure(
        crawlerID: UUID, url: String, reason: String, backoff: (Int) -> Int, audit: (Int) -> AuditRecord?
    ) async throws {
        try await database.withPlatform { connection in
            guard let current = try await lock(crawlerID, on: connection), current.status == .active,
                let directory = current.directory, directory.url == url
            else { return }
            let failures = directory.consecutiveFailures + 1
            let reason = String(reason.prefix(2000))
            try await connection.query(
                """
                UPDATE crawlers SET directory_status = 'failed', directory_checked_at = now(),
                    directory_next_refresh_at = now() + \(backoff(failures)) * interval '1 second',
                    directory_failures = \(failures), directory_last_error = \(reason), updated_at = now()
                WHERE id = \(crawlerID)
                """, logger: database.logger)
            if let record = audit(failures) {
                try await AuditLog.append(record, tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
            }
        }
    }

    func claimDueDirectories(limit: Int, lease: Int) async throws -> [(crawlerID: UUID, url: String)] {
        try await database.withPlatform { connection in
            try await connection.query(
                """
                UPDATE crawlers SET directory_next_refresh_at = now() + \(lease) * interval '1 second'
                WHERE id IN (SELECT id FROM crawlers
                             WHERE status = 'active' AND key_directory_url IS NOT NULL AND directory_next_refresh_at <= now()
                             ORDER BY directory_next_refresh_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING id, key_directory_url
                """, logger: database.logger
            ).decode((UUID, String).self).gather().map { (crawlerID: $0.0, url: $0.1) }
        }
    }

    func reconcileVerification() async throws -> Int {
        try await database.withPlatform { connection in
            try await connection.query(
                """
                WITH computed AS (
                    SELECT c.id, EXISTS (SELECT 1 FROM crawler_keys k
                                         WHERE k.crawler_id = c.id AND k.source = 'directory' AND \(unescaped: Self.usableKey)) AS proven
                    FROM crawlers c WHERE c.status = 'active'
                )
                UPDATE crawlers c SET verified = computed.proven,
                    verified_at = CASE WHEN computed.proven THEN coalesce(c.directory_fetched_at, now()) END, updated_at = now()
                FROM computed WHERE c.id = computed.id AND c.verified <> computed.proven
                RETURNING c.id
                """, logger: database.logger
            ).decode(UUID.self).gather().count
        }
    }

    // MARK: Reads

    func crawler(id: UUID) async throws -> Crawler? {
        try await database.withPlatform { connection in
            try await Self.crawlers(
                try await connection.query("SELECT \(unescaped: Self.crawlerColumns) FROM crawlers WHERE id = \(id)", logger: database.logger)
            ).first
        }
    }

    func crawlers(operatorID: UUID, after: UUID?, limit: Int) async throws -> [Crawler] {
        try await database.withPlatform { connection in
            try await Self.crawlers(
                try await connection.query(
                    """
                    SELECT \(unescaped: Self.crawlerColumns) FROM crawlers
                    WHERE operator_id = \(operatorID)
                      AND (\(after)::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM crawlers WHERE id = \(after)))
                    ORDER BY created_at, id LIMIT \(limit)
                    """, logger: database.logger))
        }
    }

    func keys(crawlerIDs: [UUID]) async throws -> [CrawlerKey] {
        guard !crawlerIDs.isEmpty else { return [] }
        return try await database.withPlatform { connection in try await keys(crawlerIDs, on: connection) }
    }

    func registry(verified: Bool?, after: UUID?, limit: Int) async throws -> [CrawlerRegistryEntry] {
        try await database.withPlatform { connection in
            try await Self.entries(
                try await connection.query(
                    """
                    SELECT \(unescaped: Self.entryColumns) FROM crawlers c JOIN crawler_operators o ON o.id = c.operator_id
                    WHERE c.status = 'active' AND (\(verified)::boolean IS NULL OR c.verified = \(verified))
                      AND (\(after)::uuid IS NULL
                           OR (lower(c.product_token), c.id) > (SELECT lower(product_token), id FROM crawlers WHERE id = \(after)))
                    ORDER BY lower(c.product_token), c.id LIMIT \(limit)
                    """, logger: database.logger))
        }
    }

    func registryEntry(id: UUID) async throws -> CrawlerRegistryEntry? {
        try await database.withPlatform { connection in
            try await Self.entries(
                try await connection.query(
                    """
                    SELECT \(unescaped: Self.entryColumns) FROM crawlers c JOIN crawler_operators o ON o.id = c.operator_id
                    WHERE c.id = \(id) AND c.status = 'active'
                    """, logger: database.logger)
            ).first
        }
    }

    // MARK: Helpers

    /// Usable now: not revoked, not expired, past `not_before`.
    static let usableKey = "k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND (k.not_before IS NULL OR k.not_before <= now())"

    static let crawlerColumns = """
        id, operator_id, name, product_token, user_agent, contact, purposes, key_directory_url, directory_status,
        directory_fetched_at, directory_checked_at, directory_next_refresh_at, directory_failures, directory_last_error,
        verified, verified_at, status, created_at, updated_at, revoked_at
        """

    static let entryColumns = """
        c.id, c.operator_id, c.name, c.product_token, c.user_agent, c.contact, c.purposes, c.key_directory_url, c.directory_status,
        c.directory_fetched_at, c.directory_checked_at, c.directory_next_refresh_at, c.directory_failures, c.directory_last_error,
        c.verified, c.verified_at, c.status, c.created_at, c.updated_at, c.revoked_at, o.name AS operator_name,
        (SELECT count(*) FROM crawler_keys k WHERE k.crawler_id = c.id AND \(usableKey)) AS active_keys,
        (SELECT count(*) FROM crawler_keys k WHERE k.crawler_id = c.id AND k.source = 'directory' AND \(usableKey)) AS verified_keys
        """

    static let keyColumns = "crawler_id, thumbprint, jwk::text, source, created_at, not_before, expires_at, revoked_at, revoked_reason"

    /// Locks the crawler's row for the rest of the transaction.
    private func lock(_ id: UUID, on connection: PostgresConnection) async throws -> Crawler? {
        try await Self.crawlers(
            try await connection.query(
                "SELECT \(unescaped: Self.crawlerColumns) FROM crawlers WHERE id = \(id) FOR UPDATE", logger: database.logger)
        ).first
    }

    private func lockActive(_ id: UUID, on connection: PostgresConnection) async throws -> Crawler {
        guard let crawler = try await lock(id, on: connection) else { throw CrawlerRegistryError.notFound }
        guard crawler.status == .active else { throw CrawlerRegistryError.revoked }
        return crawler
    }

    private func crawler(_ id: UUID, on connection: PostgresConnection) async throws -> Crawler {
        guard let crawler = try await Self.crawlers(
            try await connection.query("SELECT \(unescaped: Self.crawlerColumns) FROM crawlers WHERE id = \(id)", logger: database.logger)
        ).first else { throw CrawlerRegistryError.notFound }
        return crawler
    }

    private func keys(_ crawlerIDs: [UUID], on connection: PostgresConnection) async throws -> [CrawlerKey] {
        var keys: [CrawlerKey] = []
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.keyColumns) FROM crawler_keys
            WHERE crawler_id = ANY(\(crawlerIDs)::uuid[]) ORDER BY created_at DESC, thumbprint
            """, logger: database.logger)
        for try await (crawlerID, thumbprint, jwk, source, created, notBefore, expires, revoked, reason) in rows.decode(
            (UUID, String, String, String, Date, Date?, Date?, Date?, String?).self)
        {
            guard let source = CrawlerKey.Source(rawValue: source) else { throw CrawlerStorageError.unknownValue("key source", source) }
            keys.append(
                CrawlerKey(
                    crawlerID: crawlerID, thumbprint: thumbprint, jwk: try JSONDecoder().decode(JSONWebKey.self, from: Data(jwk.utf8)),
                    source: source, createdAt: created, notBefore: notBefore, expiresAt: expires, revokedAt: revoked, revokedReason: reason))
        }
        return keys
    }

    private func insertUploaded(_ key: NewCrawlerKey, crawlerID: UUID, on connection: PostgresConnection) async throws {
        try await refuseHeldElsewhere([key.thumbprint], crawlerID: crawlerID, on: connection)
        try await connection.query(
            """
            INSERT INTO crawler_keys (crawler_id, thumbprint, jwk, source, not_before, expires_at)
            VALUES (\(crawlerID), \(key.thumbprint), \(try Self.json(key.jwk))::jsonb, 'uploaded', \(key.notBefore), \(key.expiresAt))
            """, logger: database.logger)
    }

    /// Names the key when another crawler holds it unrevoked (the unique index would only say "some key").
    private func refuseHeldElsewhere(_ thumbprints: [String], crawlerID: UUID, on connection: PostgresConnection) async throws {
        let held = try await connection.query(
            """
            SELECT thumbprint FROM crawler_keys
            WHERE thumbprint = ANY(\(thumbprints)::text[]) AND crawler_id <> \(crawlerID) AND revoked_at IS NULL LIMIT 1
            """, logger: database.logger
        ).decode(String.self).first { _ in true }
        if let held { throw CrawlerRegistryError.keyInUse(thumbprint: held) }
    }

    /// Sets `verified` from the crawler's usable directory keys; `provedAt` is the fetch that just proved them.
    private func recomputeVerified(_ id: UUID, provedAt: Date?, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query(
            """
            UPDATE crawlers c SET verified = p.proven,
                verified_at = CASE WHEN p.proven THEN coalesce(\(provedAt)::timestamptz, c.verified_at, c.directory_fetched_at, now()) END
            FROM (SELECT EXISTS (SELECT 1 FROM crawler_keys k
                                 WHERE k.crawler_id = \(id) AND k.source = 'directory' AND \(unescaped: Self.usableKey)) AS proven) p
            WHERE c.id = \(id)
            RETURNING c.verified
            """, logger: database.logger
        ).decode(Bool.self).first { _ in true } ?? false
    }

    private static func json(_ key: JSONWebKey) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(key.publicKey), as: UTF8.self)
    }

    private static func crawlers(_ rows: PostgresRowSequence) async throws -> [Crawler] {
        var crawlers: [Crawler] = []
        for try await row in rows { crawlers.append(try crawler(row.makeRandomAccess())) }
        return crawlers
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [CrawlerRegistryEntry] {
        var entries: [CrawlerRegistryEntry] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            entries.append(
                CrawlerRegistryEntry(
                    crawler: try crawler(cells), operatorName: try cells["operator_name"].decode(String.self),
                    activeKeys: Int(try cells["active_keys"].decode(Int64.self)),
                    verifiedKeys: Int(try cells["verified_keys"].decode(Int64.self))))
        }
        return entries
    }

    private static func crawler(_ cells: PostgresRandomAccessRow) throws -> Crawler {
        let id = try cells["id"].decode(UUID.self)
        let purposes = try cells["purposes"].decode([String].self).map { raw in
            guard let purpose = CrawlPurpose(rawValue: raw) else { throw CrawlerStorageError.unknownValue("purpose", raw) }
            return purpose
        }
        let statusValue = try cells["status"].decode(String.self)
        guard let status = Crawler.Status(rawValue: statusValue) else { throw CrawlerStorageError.unknownValue("status", statusValue) }
        var directory: CrawlerDirectory?
        if let url = try cells["key_directory_url"].decode(String?.self) {
            let raw = try cells["directory_status"].decode(String.self)
            guard let directoryStatus = CrawlerDirectory.Status(rawValue: raw) else {
                throw CrawlerStorageError.unknownValue("directory status", raw)
            }
            directory = CrawlerDirectory(
                url: url, status: directoryStatus, lastFetchedAt: try cells["directory_fetched_at"].decode(Date?.self),
                lastCheckedAt: try cells["directory_checked_at"].decode(Date?.self),
                nextRefreshAt: try cells["directory_next_refresh_at"].decode(Date?.self),
                lastError: try cells["directory_last_error"].decode(String?.self),
                consecutiveFailures: Int(try cells["directory_failures"].decode(Int32.self)))
        }
        return Crawler(
            id: id, operatorID: try cells["operator_id"].decode(UUID.self), name: try cells["name"].decode(String.self),
            productToken: try cells["product_token"].decode(String.self), userAgent: try cells["user_agent"].decode(String.self),
            contact: try cells["contact"].decode(String.self), purposes: purposes, directory: directory,
            verified: try cells["verified"].decode(Bool.self), verifiedAt: try cells["verified_at"].decode(Date?.self), status: status,
            createdAt: try cells["created_at"].decode(Date.self), updatedAt: try cells["updated_at"].decode(Date.self),
            revokedAt: try cells["revoked_at"].decode(Date?.self))
    }
}

/// A stored value the code does not know: a newer migration, or a hand edit.
enum CrawlerStorageError: Error, CustomStringConvertible {
    case unknownValue(String, String)

    var description: String {
        switch self {
        case .unknownValue(let what, let value): "the crawler registry holds an unknown \(what) \"\(value)\""
        }
    }
}

extension AsyncSequence {
    /// Every element, in order (for the short result sets of RETURNING clauses).
    fileprivate func gather() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
