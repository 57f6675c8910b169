import Foundation
import Hummingbird

/// `/v1/members` and `/v1/invites`.
struct MembersController {
    let team: TeamService
    let accounts: AccountService
    let members: any MemberRepository

    struct RoleBody: JSONRequestBody {
        let role: String
        enum CodingKeys: String, CodingKey, CaseIterable { case role }
    }

    struct InviteBody: JSONRequestBody {
        let email: String
        let role: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email, role }
    }

    struct AcceptBody: JSONRequestBody {
        let token: String
        let password: String
        let name: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case token, password, name }
    }

    struct IssuedInviteResponse: Encodable {
        let id: UUID
        let email: String
        let role: Role
        let status: String
        let createdAt: Date
        let expiresAt: Date
        let token: String
        let acceptURL: String
        enum CodingKeys: String, CodingKey { case id, email, role, status, createdAt = "created_at", expiresAt = "expires_at", token, acceptURL = "accept_url" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("members", use: list)
        group.get("members/{user_id}", use: show)
        group.patch("members/{user_id}", use: changeRole)
        group.delete("members/{user_id}", use: remove)
        group.get("invites", use: listInvites)
        group.post("invites", use: invite)
        group.delete("invites/{id}", use: revokeInvite)
        group.post("invites/accept", use: accept)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.membersRead)
        return try .json(Page(items: try await members.members(tenantID: principal.tenant.id), nextCursor: nil))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.membersRead)
        let id = try context.parameters.require("user_id", as: UUID.self)
        guard let member = try await members.member(tenantID: principal.tenant.id, userID: id) else { throw Problem.notFound("Member \(id)") }
        return try .json(member)
    }

    func changeRole(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("user_id", as: UUID.self)
        let body = try await request.decodeJSON(RoleBody.self, context: context)
        return try .json(try await team.changeRole(userID: id, to: body.role, by: principal, caller: Caller(request: request, context: context)))
    }

    func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("user_id", as: UUID.self)
        try await team.remove(userID: id, by: principal, caller: Caller(request: request, context: context))
        return .noContent()
    }

    func listInvites(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.membersRead)
        return try .json(Page(items: try await members.invites(tenantID: principal.tenant.id), nextCursor: nil))
    }

    func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(InviteBody.self, context: context)
        let issued = try await team.invite(email: body.email, role: body.role, by: principal, caller: Caller(request: request, context: context))
        return try .json(
            IssuedInviteResponse(
                id: issued.invite.id, email: issued.invite.email, role: issued.invite.role, status: issued.invite.status,
                createdAt: issued.invite.createdAt, expiresAt: issued.invite.expiresAt, token: issued.token, acceptURL: issued.acceptURL),
            status: .created)
    }

    func revokeInvite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id", as: UUID.self)
        try await team.revokeInvite(id: id, by: principal, caller: Caller(request: request, context: context))
        return .noContent()
    }

    func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(AcceptBody.self, context: context)
        let grant = try await accounts.acceptInvite(
            token: body.token, password: body.password, name: body.name ?? "", caller: Caller(request: request, context: context))
        return try SessionController.created(grant, cookie: accounts.sessionCookie(grant))
    }
}
