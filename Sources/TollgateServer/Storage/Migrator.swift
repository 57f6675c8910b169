import Crypto
import Foundation
import Logging
import PostgresNIO
import TollgateCore

/// Applies `migrations/NNNN_name.sql` in order, each in its own transaction, recorded in `schema_migrations`
/// with a checksum. An advisory lock keeps two replicas from migrating at once.
public struct Migrator: Sendable {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
        public let checksum: String
    }

    public struct Status: Sendable {
        public let databaseVersion: Int
        public let latestKnown: Int
        public var isCurrent: Bool { databaseVersion == latestKnown }
    }

    public let migrations: [Migration]
    private static let lockKey: Int64 = 0x746F_6C6C_6761_7465  // "tollgate"

    public init(directory: String) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        } catch {
            throw ConfigurationError("cannot read migrations from \(directory): \(error.localizedDescription)")
        }
        var seen: Set<Int> = []
        migrations = try names.map { name in
            guard let version = Int(name.prefix(while: \.isNumber)), version > 0 else {
                throw ConfigurationError("migration file \(name) must start with its number, like 0001_name.sql")
            }
            guard seen.insert(version).inserted else {
                throw ConfigurationError("two migration files share the number \(version)")
            }
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw ConfigurationError("cannot read migration \(directory)/\(name)")
            }
            return Migration(
                version: version, name: name, sql: String(decoding: data, as: UTF8.self),
                checksum: Hex.encode(SHA256.hash(data: data)))
        }.sorted { $0.version < $1.version }
    }

    /// Applies what is pending and returns it. Throws if the database knows migrations this binary does not,
    /// or if an applied migration's file has changed since.
    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> [Migration] {
        try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await self.apply(on: connection, logger: logger)
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    public func status(client: PostgresClient, logger: Logger) async throws -> Status {
        let exists = try await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            .decode(Bool.self).first { _ in true } ?? false
        var version = 0
        if exists {
            version = try await client.query("SELECT coalesce(max(version), 0)::int8 FROM schema_migrations", logger: logger)
                .decode(Int.self).first { _ in true } ?? 0
        }
        return Status(databaseVersion: version, latestKnown: migrations.last?.version ?? 0)
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [Migration] {
        _ = try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var applied: [Int: (String, String)] = [:]
        for try await (version, name, checksum) in try await connection.query(
            "SELECT version, name, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String, String).self) {
            applied[version] = (name, checksum)
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        if let unknown = applied.keys.filter({ known[$0] == nil }).max() {
            throw ConfigurationError(
                "the database has migration \(unknown) (\(applied[unknown]!.0)) that this tollgate binary does not know; "
                    + "it was migrated by a newer version — run that version or restore a matching backup")
        }
        for (version, (name, checksum)) in applied where known[version]!.checksum != checksum {
            throw ConfigurationError("migration \(name) changed after it was applied; restore the original file and add a new migration instead")
        }
        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            try await connection.withTransaction(logger: logger) { connection in
                for statement in SQLScript.statements(migration.sql) {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger)
            }
            done.append(migration)
        }
        return done
    }
}
