import Foundation
import TollgateCore

/// `POST /v1/agent/allowances`: a fresh allowance on each account the agent names, by `AllowancePolicy`. An id no
/// crawler account has is refused with 422 naming it: agents learn account ids from sync, so an unknown one is a
/// bug to surface, and a refusal needs the account's currency, which an unknown id does not have.
struct AllowanceService: Sendable {
    let repository: any AllowanceRepository
    let policy: AllowancePolicy

    static let maxAccounts = 100

    func grant(_ request: AllowanceRequest, agent: Agent) async throws -> AllowanceGrant {
        let ids = request.crawlerAccountIDs
        guard (1...Self.maxAccounts).contains(ids.count) else {
            throw Problem.invalid(field: "crawler_account_ids", "must list 1 to \(Self.maxAccounts) crawler account ids")
        }
        do {
            return AllowanceGrant(
                allowances: try await repository.grant(agentID: agent.id, tenantID: agent.tenantID, accountIDs: ids, policy: policy))
        } catch AllowanceError.unknownAccount(let id) {
            let index = ids.firstIndex(of: id) ?? 0
            throw Problem.invalid(field: "crawler_account_ids[\(index)]", "no crawler account has the id \(id.uuidString.lowercased())")
        }
    }
}
