import Foundation

/// Creating and revoking API keys: a key never gets a scope its creator lacks, and its secret is shown once.
struct APIKeyService: Sendable {
    let apiKeys: any APIKeyRepository
    let tokens: TokenHasher
    let authenticator: Authenticator

    func create(name rawName: String, scopes rawScopes: [String], expiresAt: Date?, by principal: Principal, caller: Caller) async throws -> (APIKey, secret: String) {
        try principal.require(.apiKeysWrite)
        let name = try Validation.text(rawName, field: "name", required: true, max: 100)
        guard !rawScopes.isEmpty else { throw Problem.invalid(field: "scopes", "must list at least one scope (see GET /v1/scopes)") }
        var scopes: [Permission] = []
        for raw in Set(rawScopes).sorted() {
            guard let scope = Permission(rawValue: raw) else {
                throw Problem.invalid(field: "scopes", "'\(raw)' is not a scope; see GET /v1/scopes")
            }
            guard principal.permissions.contains(scope) else {
                throw Problem.forbidden("You cannot grant the '\(raw)' scope because you do not have it yourself.")
            }
            scopes.append(scope)
        }
        if let expiresAt, expiresAt <= Date() { throw Problem.invalid(field: "expires_at", "must be in the future") }
        let (secret, prefix) = Tokens.apiKey()
        let key = try await apiKeys.create(
            tenantID: principal.tenant.id,
            NewAPIKey(name: name, prefix: prefix, secretHash: tokens.hash(secret), scopes: scopes, createdBy: principal.user?.id, expiresAt: expiresAt),
            audit: { id in
                AuditRecord(
                    action: "api_key.created", actor: principal.actor, clientAddress: caller.clientAddress, targetType: "api_key",
                    targetID: id.uuidString, details: ["name": name, "prefix": prefix, "scopes": scopes.map(\.rawValue).joined(separator: " ")])
            })
        return (key, secret)
    }

    func revoke(id: UUID, by principal: Principal, caller: Caller) async throws {
        try principal.require(.apiKeysWrite)
        guard let key = try await apiKeys.key(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("API key \(id)") }
        guard key.revokedAt == nil else { throw Problem.conflict("already-revoked", "API key \(key.prefix) is already revoked.") }
        do {
            try await apiKeys.revoke(
                tenantID: principal.tenant.id, id: id,
                audit: AuditRecord(
                    action: "api_key.revoked", actor: principal.actor, clientAddress: caller.clientAddress, targetType: "api_key",
                    targetID: id.uuidString, details: ["name": key.name, "prefix": key.prefix]))
        } catch MemberError.notFound {
            throw Problem.conflict("already-revoked", "API key \(key.prefix) is already revoked.")
        }
        authenticator.invalidate(tenantID: principal.tenant.id)
    }
}
