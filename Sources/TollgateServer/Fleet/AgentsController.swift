import Foundation
import Hummingbird

/// `/v1/agents`: a tenant's edge agents and the enrollment tokens that add them.
struct AgentsController {
    let service: AgentService
    let agents: any AgentRepository

    struct CreateTokenBody: JSONRequestBody {
        let label: String
        let ttlSeconds: Int?
        let maxUses: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case label, ttlSeconds = "ttl_seconds", maxUses = "max_uses" }

        /// An absent `ttl_seconds` or `max_uses` means the default; null is refused rather than read as "the default".
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            label = try container.decode(String.self, forKey: .label)
            ttlSeconds = container.contains(.ttlSeconds) ? try container.decode(Int.self, forKey: .ttlSeconds) : nil
            maxUses = container.contains(.maxUses) ? try container.decode(Int.self, forKey: .maxUses) : nil
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("agents/enrollment-tokens", use: listTokens)
        group.post("agents/enrollment-tokens", use: createToken)
        group.delete("agents/enrollment-tokens/{id}", use: revokeToken)
        group.get("agents", use: list)
        group.get("agents/{id}", use: show)
        group.delete("agents/{id}", use: revoke)
    }

    func listTokens(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        let page = try PageRequest(request)
        let found = try await agents.tokens(tenantID: principal.tenant.id, limit: page.limit + 1, after: try page.cursorID())
        let items = found.prefix(page.limit)
        let next = found.count > page.limit ? items.last?.id.uuidString : nil
        return try .json(Page(items: items.map { EnrollmentTokenResponse($0) }, nextCursor: next))
    }

    func createToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let body = try await request.decodeJSON(CreateTokenBody.self, context: context)
        let (token, secret) = try await service.createToken(
            label: body.label, ttlSeconds: body.ttlSeconds, maxUses: body.maxUses, by: principal, caller: Caller(request: request, context: context))
        return try .json(EnrollmentTokenResponse(token, secret: secret), status: .created)
    }

    func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let id = try context.parameters.require("id", as: UUID.self)
        try await service.revokeToken(id: id, by: principal, caller: Caller(request: request, context: context))
        return .noContent()
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        let page = try PageRequest(request)
        let found = try await agents.agents(tenantID: principal.tenant.id, limit: page.limit + 1, after: try page.cursorID())
        let items = found.prefix(page.limit)
        let next = found.count > page.limit ? items.last?.id.uuidString : nil
        return try .json(Page(items: items.map(AgentResponse.init), nextCursor: next))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let agent = try await agents.agent(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("Agent \(id)") }
        return try .json(AgentResponse(agent))
    }

    func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let id = try context.parameters.require("id", as: UUID.self)
        try await service.revokeAgent(id: id, by: principal, caller: Caller(request: request, context: context))
        return .noContent()
    }
}

/// `/v1/agent/…`: what edge agents call. Enrollment needs no credential (the token is one); the rest use `AgentAuth`.
struct AgentController {
    let service: AgentService
    let auth: AgentAuth

    struct EnrollBody: JSONRequestBody {
        let token: String
        let name: String
        let version: String
        enum CodingKeys: String, CodingKey, CaseIterable { case token, name, version }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("agent/enroll", use: enroll)
        group.get("agent/me", use: me)
    }

    func enroll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(EnrollBody.self, context: context)
        let (agent, credential) = try await service.enroll(
            token: body.token, name: body.name, version: body.version, caller: Caller(request: request, context: context))
        return try .json(EnrollmentResponse(agentID: agent.id, tenantID: agent.tenantID, name: agent.name, credential: credential), status: .created)
    }

    func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        try .json(AgentResponse(try await auth.require(request, context: context)))
    }
}
