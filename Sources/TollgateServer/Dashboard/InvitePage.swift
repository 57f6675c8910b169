import Foundation
import Hummingbird

/// `/invite/{token}`: the link an invited person opens. New people choose a password; people who already have a
/// Tollgate account confirm with theirs.
struct InvitePage {
    let accounts: AccountService
    let signIn: SignInPages

    struct View {
        let tenantName: String
        let email: String
        let role: String
        let expires: String
        let existingAccount: Bool
        let usable: Bool
        let status: String
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("invite/{token}", use: show)
        router.post("invite/{token}", use: accept)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ticket = try await accounts.ticket(token: try context.parameters.require("token"))
        return page(ticket, request: request)
    }

    func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let form = try await FormData(request: request, context: context)
        try signIn.formGuard.check(request, form)
        do {
            let grant = try await accounts.acceptInvite(
                token: token, password: form["password"], name: form["name"], caller: Caller(request: request, context: context))
            return signIn.signedIn(grant)
        } catch let problem as Problem where problem.status.code < 500 && problem.status != .notFound {
            let ticket = try await accounts.ticket(token: token)
            return page(ticket, request: request, problem: problem, values: form.values("name"))
        }
    }

    private func page(_ ticket: InviteTicket, request: Request, problem: Problem? = nil, values: [String: String] = [:]) -> Response {
        let usable = ticket.invite.status == "pending"
        let view = View(
            tenantName: ticket.tenant.name, email: ticket.invite.email, role: ticket.invite.role.rawValue,
            expires: DisplayDate.format(ticket.invite.expiresAt), existingAccount: ticket.existingUserID != nil, usable: usable,
            status: ticket.invite.status)
        return signIn.form(
            "invite", title: "Join \(ticket.tenant.name) on Tollgate", request: request, problem: problem, values: values, page: view)
    }
}
