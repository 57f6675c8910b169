import Foundation

public protocol AuditRepository: Sendable {
    /// Newest first, strictly before `beforeSeq` when given.
    func events(tenantID: UUID, beforeSeq: Int64?, limit: Int) async throws -> [AuditEvent]
    /// Oldest first, every event, handed to `body` one by one (exports and verification of long chains).
    func forEachEvent(tenantID: UUID, _ body: (AuditEvent) async throws -> Void) async throws
    func verify(tenantID: UUID) async throws -> AuditChain.Verdict
    /// Every tenant id, for platform-wide verification.
    func allTenantIDs() async throws -> [UUID]
}
