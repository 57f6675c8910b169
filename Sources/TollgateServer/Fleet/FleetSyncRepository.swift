import Foundation
import TollgateCore

/// What an agent's sync reads: the bundle for its tenant as of one snapshot, and a cheap check for changes.
protocol FleetSyncRepository: Sendable {
    /// The full bundle when `since` is nil or not a version this database can have issued (ahead of the current
    /// snapshot); otherwise every entity written by a transaction at or after `since`.
    func bundle(tenantID: UUID, agentID: UUID, since: SyncVersion?) async throws -> SyncBundle
    /// True when a delta since `since` would carry something.
    func hasChanges(tenantID: UUID, agentID: UUID, since: SyncVersion) async throws -> Bool
}
