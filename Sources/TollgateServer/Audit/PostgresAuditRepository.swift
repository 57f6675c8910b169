import Foundation
import PostgresNIO

public struct PostgresAuditRepository: AuditRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    /// What `event(_:)` decodes; the time as exact microseconds for the hash.
    private static let columns = """
        id, tenant_id, seq, (extract(epoch FROM occurred_at) * 1000000)::int8, actor_type, actor_id, actor_label,
        client_address, action, target_type, target_id, details::text, prev_hash, hash
        """

    public func events(tenantID: UUID, beforeSeq: Int64?, limit: Int) async throws -> [AuditEvent] {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM audit_events WHERE tenant_id = \(tenantID) AND seq < \(beforeSeq ?? Int64.max)
                ORDER BY seq DESC LIMIT \(limit)
                """, logger: database.logger)
            var events: [AuditEvent] = []
            for try await row in rows { events.append(try Self.event(row)) }
            return events
        }
    }

    public func forEachEvent(tenantID: UUID, _ body: (AuditEvent) async throws -> Void) async throws {
        // Pages of 1000 in separate short transactions, so a long export never pins a connection for its duration.
        var after: Int64 = 0
        while true {
            let page: [AuditEvent] = try await database.withTenant(tenantID) { connection in
                let rows = try await connection.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM audit_events WHERE tenant_id = \(tenantID) AND seq > \(after) ORDER BY seq LIMIT 1000
                    """, logger: database.logger)
                var events: [AuditEvent] = []
                for try await row in rows { events.append(try Self.event(row)) }
                return events
            }
            for event in page { try await body(event) }
            guard let last = page.last, page.count == 1000 else { return }
            after = last.seq
        }
    }

    public func verify(tenantID: UUID) async throws -> AuditChain.Verdict {
        var events: [AuditEvent] = []
        try await forEachEvent(tenantID: tenantID) { events.append($0) }
        let verdict = AuditChain.verify(events)
        guard case .intact(let count) = verdict else { return verdict }
        // The head must agree with the last event, or events were cut off the end.
        let head = try await database.withTenant(tenantID) { connection in
            try await connection.query("SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = \(tenantID)", logger: database.logger)
                .decode((Int64, ByteBuffer).self).first { _ in true }
        }
        if let (lastSeq, lastHash) = head, lastSeq != Int64(count) || (count > 0 && lastHash.bytes != events.last!.hash) {
            return .broken(seq: Int64(count) + 1, reason: "the chain head records \(lastSeq) events but \(count) are stored")
        }
        return verdict
    }

    public func allTenantIDs() async throws -> [UUID] {
        try await database.withPlatform { connection in
            var ids: [UUID] = []
            for try await id in try await connection.query("SELECT id FROM tenants ORDER BY created_at", logger: database.logger)
                .decode(UUID.self)
            {
                ids.append(id)
            }
            return ids
        }
    }

    static func event(_ row: PostgresRow) throws -> AuditEvent {
        let (id, tenantID, seq, micros, actorType, actorID, actorLabel, client, action, targetType, targetID, details, prev, hash) =
            try row.decode((UUID, UUID, Int64, Int64, String, String, String, String, String, String, String, String, ByteBuffer, ByteBuffer).self)
        return AuditEvent(
            id: id, tenantID: tenantID, seq: seq, occurredAtMicros: micros, actorType: actorType, actorID: actorID,
            actorLabel: actorLabel, clientAddress: client, action: action, targetType: targetType, targetID: targetID,
            details: (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:],
            prevHash: prev.bytes, hash: hash.bytes)
    }
}
