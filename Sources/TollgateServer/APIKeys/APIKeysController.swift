import Foundation
import Hummingbird
import TollgateCore

/// `/v1/api-keys`.
struct APIKeysController {
    let service: APIKeyService
    let apiKeys: any APIKeyRepository

    struct CreateBody: JSONRequestBody {
        let name: String
        let scopes: [String]
        let expiresAt: Date?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, scopes, expiresAt = "expires_at" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            scopes = try container.decode([String].self, forKey: .scopes)
            if let raw = try container.decodeIfPresent(String.self, forKey: .expiresAt) {
                guard let date = RFC3339.parse(raw) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .expiresAt, in: container, debugDescription: "must be an RFC 3339 time like 2027-01-31T00:00:00Z")
                }
                expiresAt = date
            } else {
                expiresAt = nil
            }
        }
    }

    struct KeyResponse: Encodable {
        let id: UUID
        let name: String
        let prefix: String
        let scopes: [String]
        let status: String
        let createdAt: Date
        let expiresAt: Date?
        let lastUsedAt: Date?
        let revokedAt: Date?
        /// Only in the creation response: the one time the full key is shown.
        let secret: String?

        init(_ key: APIKey, secret: String? = nil) {
            id = key.id
            name = key.name
            prefix = key.prefix
            scopes = key.scopes
            status = key.status
            createdAt = key.createdAt
            expiresAt = key.expiresAt
            lastUsedAt = key.lastUsedAt
            revokedAt = key.revokedAt
            self.secret = secret
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(prefix, forKey: .prefix)
            try container.encode(scopes, forKey: .scopes)
            try container.encode(status, forKey: .status)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(lastUsedAt, forKey: .lastUsedAt)
            try container.encode(revokedAt, forKey: .revokedAt)
            try container.encodeIfPresent(secret, forKey: .secret)
        }

        enum CodingKeys: String, CodingKey {
            case id, name, prefix, scopes, status, secret
            case createdAt = "created_at", expiresAt = "expires_at", lastUsedAt = "last_used_at", revokedAt = "revoked_at"
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("api-keys", use: list)
        group.post("api-keys", use: create)
        group.get("api-keys/{id}", use: show)
        group.delete("api-keys/{id}", use: revoke)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.apiKeysRead)
        let page = try PageRequest(request)
        let keys = try await apiKeys.keys(tenantID: principal.tenant.id, limit: page.limit + 1, after: try page.cursorID())
        let items = keys.prefix(page.limit)
        let next = keys.count > page.limit ? items.last?.id.uuidString : nil
        return try .json(Page(items: items.map { KeyResponse($0) }, nextCursor: next))
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let (key, secret) = try await service.create(
            name: body.name, scopes: body.scopes, expiresAt: body.expiresAt, by: principal, caller: Caller(request: request, context: context))
        return try .json(KeyResponse(key, secret: secret), status: .created)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.apiKeysRead)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let key = try await apiKeys.key(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("API key \(id)") }
        return try .json(KeyResponse(key))
    }

    func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id", as: UUID.self)
        try await service.revoke(id: id, by: principal, caller: Caller(request: request, context: context))
        return .noContent()
    }
}
