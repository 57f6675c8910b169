import Foundation
import Hummingbird
import TollgateCore

/// `/app/account`: the signed-in person's details and their authenticator (TOTP) second factor.
struct AccountPage {
    let accounts: AccountService
    let pages: PageRenderer

    struct Enrolment {
        let secret: String
        let uri: String
    }

    struct View {
        let email: String
        let name: String
        let tenantName: String
        let role: String
        let totpEnabled: Bool
        let enrolment: Enrolment?
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/account", use: show)
        router.post("app/account/totp", use: beginTOTP)
        router.post("app/account/totp/confirm", use: confirmTOTP)
        router.post("app/account/totp/disable", use: disableTOTP)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        var page = view(try context.requirePrincipal())
        page.showNotice(from: request)
        return pages.render("account", page)
    }

    func beginTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, _) = try await FormData.signedIn(request, context: context)
        do {
            let totp = try await accounts.beginTOTP(principal)
            return pages.render("account", view(principal, enrolment: enrolment(totp, principal)))
        } catch let problem as Problem where problem.status.code < 500 {
            var page = view(principal)
            page.form.formError = problem.detail
            return pages.render("account", page, status: problem.status)
        }
    }

    func confirmTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setTOTP(enabled: true, request, context)
    }

    func disableTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setTOTP(enabled: false, request, context)
    }

    private func setTOTP(enabled: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (principal, form) = try await FormData.signedIn(request, context: context)
        do {
            try await accounts.setTOTP(
                enabled: enabled, code: form["code"].trimmingCharacters(in: .whitespaces), principal: principal,
                caller: Caller(request: request, context: context))
        } catch let problem as Problem where problem.status.code < 500 {
            // A wrong code while enrolling keeps the same secret on screen so the person can try again.
            let pending = enabled ? try await accounts.pendingTOTP(principal) : nil
            var page = view(principal, enrolment: pending.map { enrolment($0, principal) })
            page.show(problem, values: [:])
            return pages.render("account", page, status: problem.status)
        }
        return .redirect(to: "/app/account?done=\(enabled ? "totp-enabled" : "totp-disabled")", type: .normal)
    }

    private func enrolment(_ totp: TOTP, _ principal: Principal) -> Enrolment {
        Enrolment(secret: Base32.encode(totp.secret), uri: totp.provisioningURI(account: principal.user?.email ?? "", issuer: "Tollgate"))
    }

    private func view(_ principal: Principal, enrolment: Enrolment? = nil) -> PageView {
        let view = View(
            email: principal.user?.email ?? "", name: principal.user?.name ?? "", tenantName: principal.tenant.name,
            role: principal.role?.rawValue ?? "", totpEnabled: principal.user?.totpEnabled ?? false, enrolment: enrolment)
        return PageView(title: "Your account", principal: principal, current: "/app/account", page: view)
    }
}
