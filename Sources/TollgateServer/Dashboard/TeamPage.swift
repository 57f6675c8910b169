import Foundation
import Hummingbird

/// `/app/team`: members and their roles, pending invites, and the invite form.
struct TeamPage {
    let team: TeamService
    let members: any MemberRepository
    let pages: PageRenderer

    struct RoleOption {
        let value: String
        let selected: Bool
    }

    struct MemberRow {
        let userID: String
        let email: String
        let name: String
        let role: String
        let joined: String
        let totp: Bool
        let isYou: Bool
        let roleOptions: [RoleOption]
    }

    struct InviteRow {
        let id: String
        let email: String
        let role: String
        let status: String
        let expires: String
        let pending: Bool
    }

    struct IssuedInvite {
        let email: String
        let link: String
        let expires: String
    }

    struct View {
        let members: [MemberRow]
        let invites: [InviteRow]
        let canManage: Bool
        let inviteRoles: [RoleOption]
        let issued: IssuedInvite?
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/team", use: show)
        router.post("app/team/invites", use: invite)
        router.post("app/team/invites/{id}/revoke", use: revokeInvite)
        router.post("app/team/members/{user_id}/role", use: changeRole)
        router.post("app/team/members/{user_id}/remove", use: remove)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.membersRead)
        var page = try await view(principal)
        page.showNotice(from: request)
        return pages.render("team", page)
    }

    func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, form) = try await FormData.signedIn(request, context: context)
        do {
            let issued = try await team.invite(
                email: form["email"], role: form["role"], by: principal, caller: Caller(request: request, context: context))
            let shown = IssuedInvite(email: issued.invite.email, link: issued.acceptURL, expires: DisplayDate.format(issued.invite.expiresAt))
            return pages.render("team", try await view(principal, issued: shown), status: .created)
        } catch let problem as Problem where problem.status.code < 500 {
            var page = try await view(principal)
            page.show(problem, values: form.values("email", "role"))
            return pages.render("team", page, status: problem.status)
        }
    }

    func revokeInvite(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, done: "invite-revoked") { principal, _, caller in
            try await team.revokeInvite(id: try context.parameters.require("id", as: UUID.self), by: principal, caller: caller)
        }
    }

    func changeRole(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, done: "role-changed") { principal, form, caller in
            let id = try context.parameters.require("user_id", as: UUID.self)
            _ = try await team.changeRole(userID: id, to: form["role"], by: principal, caller: caller)
        }
    }

    func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, done: "member-removed") { principal, _, caller in
            try await team.remove(userID: try context.parameters.require("user_id", as: UUID.self), by: principal, caller: caller)
        }
    }

    /// A row action: on success back to the page with a notice; on a refusal (last owner, missing permission)
    /// the page again with the reason at the top.
    private func act(
        _ request: Request, _ context: AppRequestContext, done: String,
        _ body: (Principal, FormData, Caller) async throws -> Void
    ) async throws -> Response {
        let (principal, form) = try await FormData.signedIn(request, context: context)
        do {
            try await body(principal, form, Caller(request: request, context: context))
        } catch let problem as Problem where problem.status.code < 500 && problem.status != .notFound {
            var page = try await view(principal)
            page.form.formError = problem.detail
            return pages.render("team", page, status: problem.status)
        }
        return .redirect(to: "/app/team?done=\(done)", type: .normal)
    }

    private func view(_ principal: Principal, issued: IssuedInvite? = nil) async throws -> PageView {
        let tenantID = principal.tenant.id
        let canManage = principal.permissions.contains(.membersWrite)
        // Only owners hand out or take away the owner role (TeamService enforces it; the form just doesn't offer it).
        let assignable = Role.allCases.filter { $0 != .owner || principal.role == .owner }
        let rows = try await members.members(tenantID: tenantID).map { member in
            MemberRow(
                userID: member.userID.uuidString, email: member.email, name: member.name, role: member.role.rawValue,
                joined: DisplayDate.format(member.joinedAt), totp: member.totpEnabled, isYou: member.userID == principal.user?.id,
                roleOptions: assignable.map { RoleOption(value: $0.rawValue, selected: $0 == member.role) })
        }
        let invites = try await members.invites(tenantID: tenantID).map { invite in
            InviteRow(
                id: invite.id.uuidString, email: invite.email, role: invite.role.rawValue, status: invite.status,
                expires: DisplayDate.format(invite.expiresAt), pending: invite.status == "pending")
        }
        let view = View(
            members: rows, invites: invites, canManage: canManage,
            inviteRoles: assignable.map { RoleOption(value: $0.rawValue, selected: $0 == .viewer) }, issued: issued)
        return PageView(title: "Team", principal: principal, current: "/app/team", page: view)
    }
}
