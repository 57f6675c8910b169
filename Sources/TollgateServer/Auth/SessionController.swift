import Foundation
import Hummingbird
import TollgateCore

/// `/v1/signup`, `/v1/sessions`, `/v1/me` and the TOTP second factor.
struct SessionController {
    let accounts: AccountService

    struct SignupBody: JSONRequestBody {
        let tenantName: String
        let email: String
        let password: String
        let name: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case tenantName = "tenant_name", email, password, name
        }
    }

    struct LoginBody: JSONRequestBody {
        let email: String
        let password: String
        let totpCode: String?
        let tenantID: UUID?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case email, password, totpCode = "totp_code", tenantID = "tenant_id"
        }
    }

    struct CodeBody: JSONRequestBody {
        let code: String
        enum CodingKeys: String, CodingKey, CaseIterable { case code }
    }

    struct SessionResponse: Encodable {
        let user: UserSummary
        let tenant: TenantSummary
        let role: Role
        let csrfToken: String
        let expiresAt: Date
    }

    struct APIKeyRef: Encodable {
        let id: UUID
        let name: String
        let prefix: String
    }

    struct MeResponse: Encodable {
        let user: UserSummary?
        let tenant: TenantSummary
        let role: Role?
        let permissions: [Permission]
        let authenticatedBy: String
        let apiKey: APIKeyRef?
        let csrfToken: String?
    }

    struct TOTPSetupResponse: Encodable {
        let secret: String
        let otpauthURI: String
        enum CodingKeys: String, CodingKey { case secret, otpauthURI = "otpauth_uri" }
    }

    struct ScopeResponse: Encodable {
        let name: String
        let description: String
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("signup", use: signup)
        group.post("sessions", use: login)
        group.delete("sessions/current", use: logout)
        group.get("me", use: me)
        group.post("me/totp", use: beginTOTP)
        group.post("me/totp/confirm", use: confirmTOTP)
        group.post("me/totp/disable", use: disableTOTP)
        group.get("scopes", use: scopes)
    }

    func signup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SignupBody.self, context: context)
        let grant = try await accounts.signup(
            tenantName: body.tenantName, email: body.email, password: body.password, name: body.name ?? "",
            caller: Caller(request: request, context: context))
        return try sessionResponse(grant)
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(LoginBody.self, context: context)
        let grant = try await accounts.login(
            email: body.email, password: body.password, totpCode: body.totpCode, tenantID: body.tenantID,
            caller: Caller(request: request, context: context))
        return try sessionResponse(grant)
    }

    private func sessionResponse(_ grant: SessionGrant) throws -> Response {
        try Self.created(grant, cookie: accounts.sessionCookie(grant))
    }

    /// 201 with the session's JSON and its cookie: the answer to signup, sign-in and invite acceptance.
    static func created(_ grant: SessionGrant, cookie: Cookie) throws -> Response {
        var response = try Response.json(
            SessionResponse(user: grant.user, tenant: grant.tenant, role: grant.role, csrfToken: grant.csrfToken, expiresAt: grant.expiresAt),
            status: .created)
        response.setCookie(cookie)
        return response
    }

    func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await accounts.logout(try context.requirePrincipal(), caller: Caller(request: request, context: context))
        var response = Response.noContent()
        response.setCookie(accounts.clearedSessionCookie())
        return response
    }

    func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var apiKey: APIKeyRef?
        var csrf: String?
        switch principal.credential {
        case .apiKey(let id, let prefix, let name): apiKey = APIKeyRef(id: id, name: name, prefix: prefix)
        case .session(_, let token): csrf = token
        }
        return try .json(
            MeResponse(
                user: principal.user, tenant: principal.tenant, role: principal.role, permissions: principal.permissions.sorted(),
                authenticatedBy: principal.isSession ? "session" : "api_key", apiKey: apiKey, csrfToken: csrf))
    }

    func beginTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let totp = try await accounts.beginTOTP(principal)
        return try .json(
            TOTPSetupResponse(
                secret: Base32.encode(totp.secret),
                otpauthURI: totp.provisioningURI(account: principal.user?.email ?? "", issuer: "Tollgate")),
            status: .created)
    }

    func confirmTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(CodeBody.self, context: context)
        try await accounts.setTOTP(enabled: true, code: body.code, principal: principal, caller: Caller(request: request, context: context))
        return .noContent()
    }

    func disableTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(CodeBody.self, context: context)
        try await accounts.setTOTP(enabled: false, code: body.code, principal: principal, caller: Caller(request: request, context: context))
        return .noContent()
    }

    func scopes(_ request: Request, context: AppRequestContext) async throws -> Response {
        try .json(Page(items: Permission.allCases.map { ScopeResponse(name: $0.rawValue, description: $0.summary) }, nextCursor: nil))
    }
}
