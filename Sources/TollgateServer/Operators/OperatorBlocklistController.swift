import Foundation
import Hummingbird

/// `/v1/operator/blocklist`: the platform-wide blocklist, kept by platform operators and applied by every tenant's
/// edge agents (a tenant's own allow entry still exempts a client on its sites). Changes go to the platform audit chain.
struct OperatorBlocklistController {
    let auth: OperatorAuth
    let blocklist: BlocklistController

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("operator/blocklist", use: list)
        group.post("operator/blocklist", use: create)
        group.delete("operator/blocklist/{id}", use: delete)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await auth.require(request)
        return try await blocklist.list(.platform, request)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (account, _) = try await auth.require(request)
        return try await blocklist.create(.platform, request, context: context, by: account.auditActor, createdBy: account.id)
    }

    func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (account, _) = try await auth.require(request)
        return try await blocklist.delete(.platform, request, context: context, by: account.auditActor)
    }
}
