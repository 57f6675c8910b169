import Foundation
import Hummingbird

/// `/v1/operator/…`: the SaaS operator's own sign-in (bearer `tgo_…` tokens) and tenant suspension.
struct OperatorController {
    let operators: any OperatorRepository
    let tenants: any TenantRepository
    let passwords: PasswordHasher
    let tokens: TokenHasher
    let throttle: LoginThrottle
    let authenticator: Authenticator
    let decoyHash: String

    struct LoginBody: JSONRequestBody {
        let email: String
        let password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password }
    }

    struct SuspendBody: JSONRequestBody {
        let reason: String
        enum CodingKeys: String, CodingKey, CaseIterable { case reason }
    }

    struct TokenResponse: Encodable {
        let token: String
        let expiresAt: Date
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("operator/sessions", use: login)
        group.delete("operator/sessions/current", use: logout)
        group.get("operator/tenants", use: list)
        group.get("operator/tenants/{id}", use: show)
        group.post("operator/tenants/{id}/suspend", use: suspend)
        group.post("operator/tenants/{id}/reactivate", use: reactivate)
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(LoginBody.self, context: context)
        try await throttle.check(email: "operator:" + body.email, address: context.clientAddress)
        let found = try await operators.credentials(email: body.email)
        guard try await passwords.verify(body.password, against: found?.passwordHash ?? decoyHash), let (account, _) = found else {
            try await throttle.recordFailure(email: "operator:" + body.email, address: context.clientAddress)
            throw AccountService.invalidCredentials
        }
        let token = Tokens.operatorSession()
        let expiresAt = Date().addingTimeInterval(12 * 3600)
        try await operators.createSession(operatorID: account.id, tokenHash: tokens.hash(token), expiresAt: expiresAt)
        return try .json(TokenResponse(token: token, expiresAt: expiresAt), status: .created)
    }

    private func requireOperator(_ request: Request) async throws -> (PlatformOperator, String) {
        try await OperatorAuth(operators: operators, tokens: tokens).require(request)
    }

    func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, token) = try await requireOperator(request)
        try await operators.revokeSession(tokenHash: tokens.hash(token))
        return .noContent()
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await requireOperator(request)
        let page = try PageRequest(request)
        let records = try await tenants.tenants(after: try page.cursorID(), limit: page.limit + 1)
        let items = Array(records.prefix(page.limit))
        let next = records.count > page.limit ? items.last?.id.uuidString : nil
        return try .json(Page(items: items, nextCursor: next))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await requireOperator(request)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let tenant = try await tenants.tenant(id: id) else { throw Problem.notFound("Tenant \(id)") }
        return try .json(tenant)
    }

    func suspend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (account, _) = try await requireOperator(request)
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decodeJSON(SuspendBody.self, context: context)
        let reason = try Validation.text(body.reason, field: "reason", required: true, max: 500)
        return try await setStatus("suspended", reason: reason, id: id, account: account, context: context)
    }

    func reactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (account, _) = try await requireOperator(request)
        let id = try context.parameters.require("id", as: UUID.self)
        return try await setStatus("active", reason: nil, id: id, account: account, context: context)
    }

    private func setStatus(_ status: String, reason: String?, id: UUID, account: PlatformOperator, context: AppRequestContext) async throws -> Response {
        let audit = AuditRecord(
            action: status == "suspended" ? "tenant.suspended" : "tenant.reactivated",
            actor: account.auditActor,
            clientAddress: context.clientAddress, targetType: "tenant", targetID: id.uuidString,
            details: reason.map { ["reason": $0] } ?? [:])
        guard try await tenants.setStatus(status, reason: reason, tenantID: id, audit: audit) else { throw Problem.notFound("Tenant \(id)") }
        authenticator.invalidate(tenantID: id)
        guard let tenant = try await tenants.tenant(id: id) else { throw Problem.notFound("Tenant \(id)") }
        return try .json(tenant)
    }
}
