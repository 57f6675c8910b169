import Foundation
import PostgresNIO
import TollgateCore

/// Crawler operators and accounts are platform-level rows (no tenant), reached in platform transactions.
public struct PostgresCrawlerOperatorRepository: CrawlerOperatorRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func createOperator(
        email: String, name: String, passwordHash: String, audit: (UUID) -> AuditRecord
    ) async throws -> CrawlerOperator {
        do {
            return try await database.withPlatform { connection in
                let row = try await connection.query(
                    """
                    INSERT INTO crawler_operators (email, name, password_hash) VALUES (\(email), \(name), \(passwordHash))
                    RETURNING \(unescaped: Self.operatorColumns)
                    """, logger: database.logger
                ).decode((UUID, String, String, String, Date).self).first { _ in true }!
                try await AuditLog.append(audit(row.0), tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
                return CrawlerOperator(id: row.0, email: row.1, name: row.2, status: row.3, createdAt: row.4)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw CrawlerAccountError.emailTaken
        }
    }

    public func credentials(email: String) async throws -> (CrawlerOperator, passwordHash: String)? {
        try await database.withPlatform { connection in
            let row = try await connection.query(
                "SELECT \(unescaped: Self.operatorColumns), password_hash FROM crawler_operators WHERE lower(email) = lower(\(email))",
                logger: database.logger
            ).decode((UUID, String, String, String, Date, String).self).first { _ in true }
            return row.map { (CrawlerOperator(id: $0.0, email: $0.1, name: $0.2, status: $0.3, createdAt: $0.4), $0.5) }
        }
    }

    public func createToken(operatorID: UUID, tokenHash: [UInt8], expiresAt: Date) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "INSERT INTO crawler_operator_tokens (operator_id, token_hash, expires_at) VALUES (\(operatorID), \(bytea: tokenHash), \(expiresAt))",
                logger: database.logger)
        }
    }

    public func resolve(tokenHash: [UInt8]) async throws -> CrawlerOperator? {
        try await database.withPlatform { connection in
            try await connection.query(
                """
                SELECT o.id, o.email, o.name, o.status, o.created_at
                FROM crawler_operator_tokens t JOIN crawler_operators o ON o.id = t.operator_id
                WHERE t.token_hash = \(bytea: tokenHash) AND t.revoked_at IS NULL AND t.expires_at > now() AND o.status = 'active'
                """, logger: database.logger
            ).decode((UUID, String, String, String, Date).self).first { _ in true }
                .map { CrawlerOperator(id: $0.0, email: $0.1, name: $0.2, status: $0.3, createdAt: $0.4) }
        }
    }

    public func revokeToken(tokenHash: [UInt8]) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE crawler_operator_tokens SET revoked_at = now() WHERE token_hash = \(bytea: tokenHash) AND revoked_at IS NULL",
                logger: database.logger)
        }
    }

    public func allAccounts(after: UUID?, limit: Int) async throws -> [CrawlerAccount] {
        try await database.withPlatform { connection in
            try await Self.decode(
                try await connection.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM crawler_accounts
                    WHERE \(after)::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM crawler_accounts WHERE id = \(after))
                    ORDER BY created_at, id LIMIT \(limit)
                    """, logger: database.logger))
        }
    }

    private static let operatorColumns = "id, email, name, status, created_at"

    public func createAccount(operatorID: UUID, _ account: NewCrawlerAccount) async throws -> CrawlerAccount {
        try await database.withPlatform { connection in
            let rows = try await connection.query(
                """
                INSERT INTO crawler_accounts (operator_id, name, currency, daily_cap_micros, monthly_cap_micros)
                VALUES (\(operatorID), \(account.name), \(account.currency.code), \(account.dailyCap?.micros), \(account.monthlyCap?.micros))
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            return try await Self.decode(rows).first!
        }
    }

    public func account(id: UUID) async throws -> CrawlerAccount? {
        try await database.withPlatform { connection in
            try await Self.decode(
                try await connection.query("SELECT \(unescaped: Self.columns) FROM crawler_accounts WHERE id = \(id)", logger: database.logger)
            ).first
        }
    }

    public func accounts(operatorID: UUID) async throws -> [CrawlerAccount] {
        try await database.withPlatform { connection in
            try await Self.decode(
                try await connection.query(
                    "SELECT \(unescaped: Self.columns) FROM crawler_accounts WHERE operator_id = \(operatorID) ORDER BY created_at, id",
                    logger: database.logger))
        }
    }

    public func setCaps(accountID: UUID, daily: Money?, monthly: Money?) async throws {
        let updated = try await database.withPlatform { connection in
            try await connection.query(
                """
                UPDATE crawler_accounts SET daily_cap_micros = \(daily?.micros), monthly_cap_micros = \(monthly?.micros)
                WHERE id = \(accountID) RETURNING id
                """, logger: database.logger
            ).decode(UUID.self).first { _ in true }
        }
        guard updated != nil else { throw CrawlerAccountError.notFound }
    }

    private static let columns = "id, operator_id, name, currency, daily_cap_micros, monthly_cap_micros, status, created_at"

    private static func decode(_ rows: PostgresRowSequence) async throws -> [CrawlerAccount] {
        var accounts: [CrawlerAccount] = []
        for try await (id, operatorID, name, code, daily, monthly, status, createdAt) in rows.decode(
            (UUID, UUID, String, String, Int64?, Int64?, String, Date).self)
        {
            let currency = try Currency(code)
            accounts.append(
                CrawlerAccount(
                    id: id, operatorID: operatorID, name: name, currency: currency,
                    dailyCap: daily.map { Money(micros: $0, currency: currency) },
                    monthlyCap: monthly.map { Money(micros: $0, currency: currency) }, status: status, createdAt: createdAt))
        }
        return accounts
    }
}
