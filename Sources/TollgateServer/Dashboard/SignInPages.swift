import Foundation
import Hummingbird

/// Sign-up, sign-in and sign-out: the pages a visitor sees before the dashboard proper.
struct SignInPages {
    let accounts: AccountService
    let pages: PageRenderer
    let formGuard: FormGuard

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("/", use: root)
        router.get("signup", use: signupForm)
        router.post("signup", use: signup)
        router.get("login", use: loginForm)
        router.post("login", use: login)
    }

    /// Signed-in visitors go to the dashboard, everyone else to the sign-in page.
    func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        .redirect(to: request.cookies[Authenticator.sessionCookie] == nil ? "/login" : "/app", type: .normal)
    }

    func signupForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        form("signup", title: "Create your Tollgate account", request: request)
    }

    func signup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData(request: request, context: context)
        try formGuard.check(request, form)
        do {
            let grant = try await accounts.signup(
                tenantName: form["tenant_name"], email: form["email"], password: form["password"], name: form["name"],
                caller: Caller(request: request, context: context))
            return signedIn(grant)
        } catch let problem as Problem where problem.status.code < 500 {
            return self.form(
                "signup", title: "Create your Tollgate account", request: request, problem: problem,
                values: form.values("tenant_name", "email", "name"))
        }
    }

    func loginForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        form("login", title: "Sign in to Tollgate", request: request)
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData(request: request, context: context)
        try formGuard.check(request, form)
        do {
            let code = form["totp_code"].trimmingCharacters(in: .whitespaces)
            let grant = try await accounts.login(
                email: form["email"], password: form["password"], totpCode: code.isEmpty ? nil : code, tenantID: nil,
                caller: Caller(request: request, context: context))
            return signedIn(grant)
        } catch let problem as Problem where problem.status.code < 500 {
            var response = self.form(
                "login", title: "Sign in to Tollgate", request: request, problem: problem, values: form.values("email"))
            for field in problem.headers where field.name == .retryAfter { response.headers.append(field) }
            return response
        }
    }

    /// A public form page with its anti-forgery token (also set as a cookie), optionally re-shown with errors.
    func form(_ template: String, title: String, request: Request, problem: Problem? = nil, values: [String: String] = [:], page: Any = [String: String]()) -> Response {
        var view = PageView(title: title, page: page)
        let token = formGuard.token(for: request)
        view.formToken = token
        if let problem { view.show(problem, values: values) }
        var response = pages.render(template, view, status: problem?.status ?? .ok)
        response.setCookie(formGuard.cookie(token))
        return response
    }

    func signedIn(_ grant: SessionGrant) -> Response {
        var response = Response.redirect(to: "/app", type: .normal)
        response.setCookie(accounts.sessionCookie(grant))
        return response
    }
}
