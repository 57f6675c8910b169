import Foundation
import TollgateCore

/// Agents' spending allowances on crawler accounts (`agent_allowances`).
protocol AllowanceRepository: Sendable {
    /// Grants `agent` a new allowance on each account, in one transaction that locks the accounts, so two agents
    /// asking at once cannot both be given the same money. Throws `AllowanceError.unknownAccount`.
    func grant(agentID: UUID, tenantID: UUID, accountIDs: [UUID], policy: AllowancePolicy) async throws -> [SyncAllowance]
    /// The agent's current allowances on these accounts (those it has one for), in account order.
    func allowances(agentID: UUID, tenantID: UUID, accountIDs: [UUID]) async throws -> [SyncAllowance]
}
