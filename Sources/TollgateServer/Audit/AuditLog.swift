import Foundation
import Logging
import PostgresNIO

/// Appends to a tenant's chain inside the caller's transaction, so an action and its audit event commit together.
/// The head row is locked for the append, serialising writers per tenant.
enum AuditLog {
    /// The platform's own chain (crawler operators, manual ledger credits): a reserved tenant id no person can join,
    /// created by migration 0003 and hidden from tenant listings.
    static let platformChain = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    static func start(tenantID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "INSERT INTO audit_heads (tenant_id, last_seq, last_hash) VALUES (\(tenantID), 0, \(bytea: AuditChain.genesis))",
            logger: logger)
    }

    static func append(_ record: AuditRecord, tenantID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        let head = try await connection.query(
            "SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = \(tenantID) FOR UPDATE", logger: logger
        ).decode((Int64, ByteBuffer).self).first { _ in true }
        guard let (lastSeq, lastHashBuffer) = head else {
            throw AuditLogError.missingHead(tenantID)
        }
        let lastHash = lastHashBuffer.bytes
        let seq = lastSeq + 1
        let micros = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        let hash = AuditChain.hash(prevHash: lastHash, tenantID: tenantID, seq: seq, occurredAtMicros: micros, record: record)
        let details = String(decoding: try JSONEncoder().encode(record.details), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO audit_events (tenant_id, seq, occurred_at, actor_type, actor_id, actor_label, client_address,
                                      action, target_type, target_id, details, prev_hash, hash)
            VALUES (\(tenantID), \(seq), 'epoch'::timestamptz + \(micros) * interval '1 microsecond',
                    \(record.actor.type), \(record.actor.id), \(record.actor.label), \(record.clientAddress),
                    \(record.action), \(record.targetType), \(record.targetID), \(details)::jsonb, \(bytea: lastHash), \(bytea: hash))
            """, logger: logger)
        try await connection.query(
            "UPDATE audit_heads SET last_seq = \(seq), last_hash = \(bytea: hash) WHERE tenant_id = \(tenantID)", logger: logger)
    }
}

enum AuditLogError: Error, CustomStringConvertible {
    case missingHead(UUID)
    var description: String {
        switch self {
        case .missingHead(let id): "tenant \(id) has no audit chain head"
        }
    }
}
