import Foundation
import PostgresNIO
import TollgateCore

public struct PostgresCrawlTokenRepository: CrawlTokenRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func record(_ token: CrawlTokenRecord) async throws {
        let scope = String(decoding: try JSONEncoder().encode(token.scope), as: UTF8.self)
        try await database.withPlatform { connection in
            try await connection.query(
                """
                INSERT INTO crawl_tokens (id, crawler_account_id, key_id, scope, max_price_micros, currency, issued_at, expires_at)
                VALUES (\(token.id), \(token.crawlerAccountID), \(token.keyID), \(scope)::jsonb, \(token.maxPrice.micros),
                        \(token.maxPrice.currency.code), \(token.issuedAt), \(token.expiresAt))
                """, logger: database.logger)
        }
    }

    public func tokens(crawlerAccountID: UUID, after: UUID?, limit: Int) async throws -> [CrawlTokenRecord] {
        try await database.withPlatform { connection in
            let rows = try await connection.query(
                """
                SELECT id, crawler_account_id, key_id, scope::text, max_price_micros, currency, issued_at, expires_at, revoked_at
                FROM crawl_tokens WHERE crawler_account_id = \(crawlerAccountID)
                  AND (\(after)::uuid IS NULL OR (issued_at, id) < (SELECT issued_at, id FROM crawl_tokens WHERE id = \(after)))
                ORDER BY issued_at DESC, id DESC LIMIT \(limit)
                """, logger: database.logger)
            var records: [CrawlTokenRecord] = []
            for try await (id, account, keyID, scope, micros, currency, issuedAt, expiresAt, revokedAt) in rows.decode(
                (UUID, UUID, String, String, Int64, String, Date, Date, Date?).self)
            {
                records.append(
                    CrawlTokenRecord(
                        id: id, crawlerAccountID: account, keyID: keyID,
                        scope: try JSONDecoder().decode(CrawlTokenScope.self, from: Data(scope.utf8)),
                        maxPrice: Money(micros: micros, currency: try Currency(currency)), issuedAt: issuedAt, expiresAt: expiresAt,
                        revokedAt: revokedAt))
            }
            return records
        }
    }

    public func revoke(id: UUID, crawlerAccountID: UUID) async throws -> Bool {
        try await database.withPlatform { connection in
            try await connection.query(
                """
                UPDATE crawl_tokens SET revoked_at = now()
                WHERE id = \(id) AND crawler_account_id = \(crawlerAccountID) AND revoked_at IS NULL RETURNING id
                """, logger: database.logger
            ).decode(UUID.self).first { _ in true } != nil
        }
    }
}
