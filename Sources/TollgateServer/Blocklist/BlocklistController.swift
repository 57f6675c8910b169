import Foundation
import Hummingbird

/// `/v1/blocklist`: the tenant's blocklist, which its edge agents receive with every sync. The handlers' bodies also
/// serve the platform's blocklist (`OperatorBlocklistController`).
struct BlocklistController {
    let service: BlocklistService
    let entries: any BlocklistRepository

    /// An absent `action` blocks and an absent `ttl_seconds` never expires; null is refused for both.
    struct CreateBody: JSONRequestBody {
        let scope: String
        let value: String
        let action: String?
        let reason: String?
        let ttlSeconds: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case scope, value, action, reason, ttlSeconds = "ttl_seconds" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            scope = try container.decode(String.self, forKey: .scope)
            value = try container.decode(String.self, forKey: .value)
            action = container.contains(.action) ? try container.decode(String.self, forKey: .action) : nil
            reason = container.contains(.reason) ? try container.decode(String.self, forKey: .reason) : nil
            ttlSeconds = container.contains(.ttlSeconds) ? try container.decode(Int.self, forKey: .ttlSeconds) : nil
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("blocklist", use: list)
        group.post("blocklist", use: create)
        group.delete("blocklist/{id}", use: delete)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        return try await list(.tenant(principal.tenant.id), request)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        return try await create(
            .tenant(principal.tenant.id), request, context: context, by: principal.actor, createdBy: principal.user?.id)
    }

    func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        return try await delete(.tenant(principal.tenant.id), request, context: context, by: principal.actor)
    }

    // MARK: Shared with the platform's blocklist

    func list(_ owner: BlocklistOwner, _ request: Request) async throws -> Response {
        let page = try PageRequest(request)
        let found = try await entries.entries(owner, limit: page.limit + 1, after: try page.cursorID())
        let items = found.prefix(page.limit)
        let next = found.count > page.limit ? items.last?.id.uuidString : nil
        return try .json(Page(items: items.map(BlockEntryResponse.init), nextCursor: next))
    }

    func create(
        _ owner: BlocklistOwner, _ request: Request, context: AppRequestContext, by actor: AuditActor, createdBy: UUID?
    ) async throws -> Response {
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let entry = try await service.create(
            owner, scope: body.scope, value: body.value, action: body.action, reason: body.reason, ttlSeconds: body.ttlSeconds,
            by: actor, createdBy: createdBy, caller: Caller(request: request, context: context))
        return try .json(BlockEntryResponse(entry), status: .created)
    }

    func delete(_ owner: BlocklistOwner, _ request: Request, context: AppRequestContext, by actor: AuditActor) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        try await service.delete(owner, id: id, by: actor, caller: Caller(request: request, context: context))
        return .noContent()
    }
}
