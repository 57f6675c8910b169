import Foundation
import PostgresNIO

public struct PostgresOperatorRepository: OperatorRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(email: String, passwordHash: String) async throws -> PlatformOperator {
        do {
            return try await database.withPlatform { connection in
                let id = try await connection.query(
                    "INSERT INTO operators (email, password_hash) VALUES (\(email), \(passwordHash)) RETURNING id", logger: database.logger
                ).decode(UUID.self).first { _ in true }!
                return PlatformOperator(id: id, email: email)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw TenantError.emailTaken
        }
    }

    public func credentials(email: String) async throws -> (PlatformOperator, passwordHash: String)? {
        let row = try await database.withPlatform { connection in
            try await connection.query(
                "SELECT id, email, password_hash FROM operators WHERE lower(email) = lower(\(email))", logger: database.logger
            ).decode((UUID, String, String).self).first { _ in true }
        }
        return row.map { (PlatformOperator(id: $0.0, email: $0.1), $0.2) }
    }

    public func createSession(operatorID: UUID, tokenHash: [UInt8], expiresAt: Date) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "INSERT INTO operator_sessions (operator_id, token_hash, expires_at) VALUES (\(operatorID), \(bytea: tokenHash), \(expiresAt))",
                logger: database.logger)
        }
    }

    public func resolve(tokenHash: [UInt8]) async throws -> PlatformOperator? {
        let row = try await database.withPlatform { connection in
            try await connection.query(
                """
                SELECT o.id, o.email FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
                WHERE s.token_hash = \(bytea: tokenHash) AND s.revoked_at IS NULL AND s.expires_at > now()
                """, logger: database.logger
            ).decode((UUID, String).self).first { _ in true }
        }
        return row.map { PlatformOperator(id: $0.0, email: $0.1) }
    }

    public func revokeSession(tokenHash: [UInt8]) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE operator_sessions SET revoked_at = now() WHERE token_hash = \(bytea: tokenHash) AND revoked_at IS NULL",
                logger: database.logger)
        }
    }
}
