import Foundation
import Hummingbird

/// `/app/api-keys`: keys with their scopes and status, the create form (the secret is shown once), revocation.
struct APIKeysPage {
    let service: APIKeyService
    let apiKeys: any APIKeyRepository
    let pages: PageRenderer

    static let pageSize = 50
    /// Offered lifetimes in days; "" means the key does not expire.
    static let lifetimes = [("", "Never"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")]

    struct KeyRow {
        let id: String
        let name: String
        let prefix: String
        let scopes: String
        let status: String
        let active: Bool
        let created: String
        let expires: String
        let lastUsed: String
    }

    struct ScopeOption {
        let name: String
        let summary: String
        let checked: Bool
    }

    struct LifetimeOption {
        let value: String
        let label: String
        let selected: Bool
    }

    struct NewKey {
        let name: String
        let secret: String
    }

    struct View {
        let keys: [KeyRow]
        let canManage: Bool
        let scopes: [ScopeOption]
        let lifetimes: [LifetimeOption]
        let newKey: NewKey?
        let olderHref: String?
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/api-keys", use: show)
        router.post("app/api-keys", use: create)
        router.post("app/api-keys/{id}/revoke", use: revoke)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.apiKeysRead)
        let after = try request.uri.queryParameters["after"].map { raw in
            guard let id = UUID(uuidString: String(raw)) else { throw Problem.invalid(field: "after", "must be a key id") }
            return id
        }
        var page = try await view(principal, after: after)
        page.showNotice(from: request)
        return pages.render("api-keys", page)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, form) = try await FormData.signedIn(request, context: context)
        do {
            let expiresAt = try Self.expiry(form["expires_in_days"])
            let (key, secret) = try await service.create(
                name: form["name"], scopes: form.all("scopes"), expiresAt: expiresAt, by: principal,
                caller: Caller(request: request, context: context))
            let page = try await view(principal, newKey: NewKey(name: key.name, secret: secret))
            return pages.render("api-keys", page, status: .created)
        } catch let problem as Problem where problem.status.code < 500 {
            var page = try await view(principal, checked: Set(form.all("scopes")), lifetime: form["expires_in_days"])
            page.show(problem, values: form.values("name"))
            return pages.render("api-keys", page, status: problem.status)
        }
    }

    func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, _) = try await FormData.signedIn(request, context: context)
        let id = try context.parameters.require("id", as: UUID.self)
        do {
            try await service.revoke(id: id, by: principal, caller: Caller(request: request, context: context))
        } catch let problem as Problem where problem.status == .conflict || problem.status == .forbidden {
            var page = try await view(principal)
            page.form.formError = problem.detail
            return pages.render("api-keys", page, status: problem.status)
        }
        return .redirect(to: "/app/api-keys?done=key-revoked", type: .normal)
    }

    static func expiry(_ days: String) throws -> Date? {
        if days.isEmpty { return nil }
        guard lifetimes.contains(where: { $0.0 == days }), let count = Int(days) else {
            throw Problem.invalid(field: "expires_in_days", "choose one of the offered lifetimes")
        }
        return Date().addingTimeInterval(Double(count) * 86_400)
    }

    private func view(
        _ principal: Principal, after: UUID? = nil, newKey: NewKey? = nil, checked: Set<String> = [], lifetime: String = ""
    ) async throws -> PageView {
        let keys = try await apiKeys.keys(tenantID: principal.tenant.id, limit: Self.pageSize + 1, after: after)
        let rows = keys.prefix(Self.pageSize).map { key in
            KeyRow(
                id: key.id.uuidString, name: key.name, prefix: key.prefix, scopes: key.scopes.joined(separator: " "),
                status: key.status, active: key.status == "active", created: DisplayDate.format(key.createdAt),
                expires: key.expiresAt.map(DisplayDate.format) ?? "never", lastUsed: key.lastUsedAt.map(DisplayDate.format) ?? "never")
        }
        let view = View(
            keys: Array(rows), canManage: principal.permissions.contains(.apiKeysWrite),
            scopes: principal.permissions.sorted().map { ScopeOption(name: $0.rawValue, summary: $0.summary, checked: checked.contains($0.rawValue)) },
            lifetimes: Self.lifetimes.map { LifetimeOption(value: $0.0, label: $0.1, selected: $0.0 == lifetime) },
            newKey: newKey,
            olderHref: keys.count > Self.pageSize ? rows.last.map { "/app/api-keys?after=\($0.id)" } : nil)
        return PageView(title: "API keys", principal: principal, current: "/app/api-keys", page: view)
    }
}
