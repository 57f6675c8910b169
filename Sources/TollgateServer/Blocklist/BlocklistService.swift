import Foundation
import TollgateCore

/// Adding and deleting blocklist entries, a tenant's or the platform's: validates each value for its scope, and audits
/// every change in the same transaction as the change itself. Callers check who may (`sites:write` for a tenant, a
/// platform operator for the platform).
struct BlocklistService: Sendable {
    let entries: any BlocklistRepository

    static let maxReasonLength = 200
    static let minTTL = 60
    static let maxTTL = 365 * 86_400

    func create(
        _ owner: BlocklistOwner, scope rawScope: String, value rawValue: String, action rawAction: String?, reason rawReason: String?,
        ttlSeconds: Int?, by actor: AuditActor, createdBy: UUID?, caller: Caller
    ) async throws -> BlockEntry {
        var errors: [Problem.FieldError] = []
        let scope = SyncBlockEntry.Scope(rawValue: rawScope)
        if scope == nil {
            errors.append(.init(field: "scope", message: "must be one of \(SyncBlockEntry.Scope.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        var value = rawValue
        if let scope {
            do { value = try BlockEntryValue.normalize(rawValue, scope: scope) } catch let problem as Problem { errors += problem.errors }
        }
        let action = SyncBlockEntry.Action(rawValue: rawAction ?? SyncBlockEntry.Action.block.rawValue)
        if action == nil {
            errors.append(.init(field: "action", message: "must be one of \(SyncBlockEntry.Action.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let reason = rawReason ?? ""
        if reason.unicodeScalars.count > Self.maxReasonLength || reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: "reason", message: "must be at most \(Self.maxReasonLength) characters without control characters"))
        }
        if let ttlSeconds, !(Self.minTTL...Self.maxTTL).contains(ttlSeconds) {
            errors.append(.init(field: "ttl_seconds", message: "must be from \(Self.minTTL) (1 minute) to \(Self.maxTTL) (365 days); leave it out for no expiry"))
        }
        guard errors.isEmpty, let scope, let action else { throw Problem.invalid(errors) }
        let entry = NewBlockEntry(
            scope: scope, value: value, action: action, reason: reason, expiresAt: ttlSeconds.map { Date().addingTimeInterval(Double($0)) })
        return try await entries.create(owner, entry, createdBy: createdBy) { created in
            var details = ["scope": created.scope.rawValue, "value": created.value, "action": created.action.rawValue]
            if !created.reason.isEmpty { details["reason"] = created.reason }
            if let ttlSeconds { details["ttl_seconds"] = String(ttlSeconds) }
            return AuditRecord(
                action: "blocklist.entry_created", actor: actor, clientAddress: caller.clientAddress, targetType: "blocklist_entry",
                targetID: created.id.uuidString, details: details)
        }
    }

    func delete(_ owner: BlocklistOwner, id: UUID, by actor: AuditActor, caller: Caller) async throws {
        do {
            _ = try await entries.delete(owner, id: id) { deleted in
                AuditRecord(
                    action: "blocklist.entry_deleted", actor: actor, clientAddress: caller.clientAddress, targetType: "blocklist_entry",
                    targetID: id.uuidString, details: ["scope": deleted.scope.rawValue, "value": deleted.value, "action": deleted.action.rawValue])
            }
        } catch BlocklistError.notFound {
            throw Problem.notFound("Blocklist entry \(id)")
        }
    }
}
