import Crypto
import Foundation
import Logging
import PostgresNIO
import TollgateCore

public struct PostgresSigningKeyRepository: SigningKeyRepository {
    let database: Database
    let sealer: KeySealer

    init(database: Database, sealer: KeySealer) {
        self.database = database
        self.sealer = sealer
    }

    public func activeKey(_ purpose: SigningKeyPurpose) async throws -> SigningKey {
        try await database.withPlatform { connection in
            if let key = try await active(purpose, on: connection) { return key }
            // Two replicas may race to create the first key; the partial unique index lets exactly one win.
            let key = try await insert(purpose, on: connection)
            return key
        }
    }

    public func rotate(_ purpose: SigningKeyPurpose, audit: (String) -> AuditRecord) async throws -> SigningKey {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE signing_keys SET retired_at = now() WHERE purpose = \(purpose.rawValue) AND retired_at IS NULL", logger: database.logger)
            let key = try await insert(purpose, on: connection)
            try await AuditLog.append(audit(key.id), tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
            return key
        }
    }

    public func publishedKeys(_ purpose: SigningKeyPurpose) async throws -> [PublishedKey] {
        try await database.withPlatform { connection in
            var keys: [PublishedKey] = []
            for try await (id, raw, createdAt, retiredAt) in try await connection.query(
                "SELECT id, public_key, created_at, retired_at FROM signing_keys WHERE purpose = \(purpose.rawValue) ORDER BY created_at DESC",
                logger: database.logger
            ).decode((String, ByteBuffer, Date, Date?).self) {
                keys.append(
                    PublishedKey(id: id, publicKey: try Curve25519.Signing.PublicKey(rawRepresentation: raw.bytes), createdAt: createdAt, retiredAt: retiredAt))
            }
            return keys
        }
    }

    private func active(_ purpose: SigningKeyPurpose, on connection: PostgresConnection) async throws -> SigningKey? {
        let row = try await connection.query(
            "SELECT id, sealed_private_key, created_at FROM signing_keys WHERE purpose = \(purpose.rawValue) AND retired_at IS NULL",
            logger: database.logger
        ).decode((String, ByteBuffer, Date).self).first { _ in true }
        guard let (id, sealed, createdAt) = row else { return nil }
        return SigningKey(id: id, purpose: purpose, privateKey: try sealer.open(sealed.bytes, id: id), createdAt: createdAt)
    }

    private func insert(_ purpose: SigningKeyPurpose, on connection: PostgresConnection) async throws -> SigningKey {
        let privateKey = Curve25519.Signing.PrivateKey()
        let id = JWKThumbprint.thumbprint(of: privateKey.publicKey)
        let inserted = try await connection.query(
            """
            INSERT INTO signing_keys (id, purpose, public_key, sealed_private_key)
            VALUES (\(id), \(purpose.rawValue), \(bytea: Array(privateKey.publicKey.rawRepresentation)), \(bytea: try sealer.seal(privateKey, id: id)))
            ON CONFLICT DO NOTHING RETURNING created_at
            """, logger: database.logger
        ).decode(Date.self).first { _ in true }
        if let createdAt = inserted { return SigningKey(id: id, purpose: purpose, privateKey: privateKey, createdAt: createdAt) }
        guard let winner = try await active(purpose, on: connection) else { throw SigningKeyError.unsealable(id) }
        return winner
    }
}
