import Foundation
import Hummingbird

/// `/app/agents`: the tenant's edge agents and enrollment tokens; a form creates a token (shown once, with the
/// install command that uses it) and buttons revoke tokens and agents.
struct AgentsPage {
    let service: AgentService
    let agents: any AgentRepository
    let publicURL: String
    let pages: PageRenderer

    static let pageSize = 50
    /// Offered lifetimes in seconds.
    static let lifetimes = [("900", "15 minutes"), ("3600", "1 hour"), ("86400", "1 day"), ("604800", "7 days")]

    struct AgentRow {
        let id: String
        let name: String
        let version: String
        let address: String
        let lastSeen: String
        let status: String
        let active: Bool
        let created: String
    }

    struct TokenRow {
        let id: String
        let label: String
        let status: String
        /// "0 of 3"
        let uses: String
        let pending: Bool
        let expires: String
        let created: String
    }

    struct LifetimeOption {
        let value: String
        let label: String
        let selected: Bool
    }

    struct NewToken {
        let label: String
        let token: String
        let expires: String
        let installCommand: String
    }

    struct View {
        let agents: [AgentRow]
        let tokens: [TokenRow]
        let canManage: Bool
        let lifetimes: [LifetimeOption]
        let newToken: NewToken?
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/agents", use: show)
        router.post("app/agents/enrollment-tokens", use: createToken)
        router.post("app/agents/enrollment-tokens/{id}/revoke", use: revokeToken)
        router.post("app/agents/{id}/revoke", use: revokeAgent)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        var page = try await view(principal)
        page.showNotice(from: request)
        return pages.render("agents", page)
    }

    func createToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, form) = try await FormData.signedIn(request, context: context)
        do {
            guard let ttl = Self.lifetimes.first(where: { $0.0 == form["ttl_seconds"] }).flatMap({ Int($0.0) }) else {
                throw Problem.invalid(field: "ttl_seconds", "choose one of the offered lifetimes")
            }
            let maxUses: Int?
            if form["max_uses"].isEmpty {
                maxUses = nil
            } else if let uses = Int(form["max_uses"]) {
                maxUses = uses
            } else {
                throw Problem.invalid(field: "max_uses", "enter a whole number of agents, from 1 to \(AgentService.maxUses)")
            }
            let (token, secret) = try await service.createToken(
                label: form["label"], ttlSeconds: ttl, maxUses: maxUses, by: principal,
                caller: Caller(request: request, context: context))
            // A token for several agents installs as many replicas; otherwise one.
            let command = "helm install tollgate-edge ./helm/tollgate-edge --set controlPlane.url=\(publicURL) "
                + "--set enrollmentToken=\(secret) --set upstream.url=http://<your-site-service>:80 --set replicas=\(token.maxUses)"
            let page = try await view(
                principal,
                newToken: NewToken(label: token.label, token: secret, expires: DisplayDate.format(token.expiresAt), installCommand: command))
            return pages.render("agents", page, status: .created)
        } catch let problem as Problem where problem.status.code < 500 {
            var page = try await view(principal, lifetime: form["ttl_seconds"])
            page.show(problem, values: form.values("label", "max_uses"))
            return pages.render("agents", page, status: problem.status)
        }
    }

    func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, done: "enrollment-token-revoked") { principal, id, caller in
            try await service.revokeToken(id: id, by: principal, caller: caller)
        }
    }

    func revokeAgent(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, done: "agent-revoked") { principal, id, caller in
            try await service.revokeAgent(id: id, by: principal, caller: caller)
        }
    }

    private func act(
        _ request: Request, _ context: AppRequestContext, done: String, _ body: (Principal, UUID, Caller) async throws -> Void
    ) async throws -> Response {
        let (principal, _) = try await FormData.signedIn(request, context: context)
        let id = try context.parameters.require("id", as: UUID.self)
        do {
            try await body(principal, id, Caller(request: request, context: context))
        } catch let problem as Problem where problem.status == .conflict || problem.status == .forbidden {
            var page = try await view(principal)
            page.form.formError = problem.detail
            return pages.render("agents", page, status: problem.status)
        }
        return .redirect(to: "/app/agents?done=\(done)", type: .normal)
    }

    private func view(_ principal: Principal, newToken: NewToken? = nil, lifetime: String = "3600") async throws -> PageView {
        let found = try await agents.agents(tenantID: principal.tenant.id, limit: Self.pageSize, after: nil)
        let tokens = try await agents.tokens(tenantID: principal.tenant.id, limit: Self.pageSize, after: nil)
        let view = View(
            agents: found.map { agent in
                AgentRow(
                    id: agent.id.uuidString, name: agent.name, version: agent.version, address: agent.address ?? "",
                    lastSeen: agent.lastSeenAt.map(DisplayDate.format) ?? "never", status: agent.status, active: agent.revokedAt == nil,
                    created: DisplayDate.format(agent.createdAt))
            },
            tokens: tokens.map { token in
                TokenRow(
                    id: token.id.uuidString, label: token.label, status: token.status, uses: "\(token.uses) of \(token.maxUses)",
                    pending: token.status == "pending",
                    expires: DisplayDate.format(token.expiresAt), created: DisplayDate.format(token.createdAt))
            },
            canManage: principal.permissions.contains(.sitesWrite),
            lifetimes: Self.lifetimes.map { LifetimeOption(value: $0.0, label: $0.1, selected: $0.0 == lifetime) },
            newToken: newToken)
        return PageView(title: "Agents", principal: principal, current: "/app/agents", page: view)
    }
}
