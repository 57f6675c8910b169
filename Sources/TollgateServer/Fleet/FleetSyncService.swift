import Foundation
import ServiceLifecycle
import TollgateCore

/// `GET /v1/agent/sync`: a full bundle or a non-empty delta at once; with nothing new and a wait, polls the database
/// every `pollInterval` until something changes or the wait ends, then answers the delta since the agent's version,
/// which may be empty. A cancelled request (the agent hung up) stops polling; so does a graceful shutdown, which
/// answers early instead of holding the server open for the rest of the wait.
struct FleetSyncService: Sendable {
    let repository: any FleetSyncRepository
    var pollInterval: Duration = .milliseconds(500)

    func sync(agent: Agent, since: SyncVersion?, wait: Duration) async throws -> SyncBundle {
        let first = try await repository.bundle(tenantID: agent.tenantID, agentID: agent.id, since: since)
        guard first.isEmpty, wait > .zero, let since else { return first }
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        var changed = false
        while !changed, clock.now < deadline, !Task.isShuttingDownGracefully {
            try await Task.sleep(for: min(pollInterval, deadline - clock.now))
            changed = try await repository.hasChanges(tenantID: agent.tenantID, agentID: agent.id, since: since)
        }
        return try await repository.bundle(tenantID: agent.tenantID, agentID: agent.id, since: since)
    }
}
