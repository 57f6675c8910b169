import Foundation

public struct TenantSummary: Codable, Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let status: String
    public var isActive: Bool { status == "active" }
}

public struct UserSummary: Codable, Sendable, Equatable {
    public let id: UUID
    public let email: String
    public let name: String
    public let totpEnabled: Bool

    enum CodingKeys: String, CodingKey {
        case id, email, name
        case totpEnabled = "totp_enabled"
    }
}

/// Who is making a request and what they may do, resolved from a session cookie or an API key.
public struct Principal: Sendable {
    public enum Credential: Sendable, Equatable {
        case session(id: UUID, csrfToken: String)
        case apiKey(id: UUID, prefix: String, name: String)
    }

    public let credential: Credential
    public let tenant: TenantSummary
    /// The signed-in person; for an API key, the person who created it (if still known).
    public let user: UserSummary?
    /// The member's role; nil for API keys, whose power is their scopes.
    public let role: Role?
    public let permissions: Set<Permission>
    public let expiresAt: Date?

    public var isSession: Bool {
        if case .session = credential { return true }
        return false
    }

    /// Audit "actor" fields for this principal.
    var actor: AuditActor {
        switch credential {
        case .session:
            AuditActor(type: "user", id: user?.id.uuidString ?? "", label: user?.email ?? "")
        case .apiKey(let id, let prefix, let name):
            AuditActor(type: "api_key", id: id.uuidString, label: "\(name) (\(prefix))")
        }
    }

    func require(_ permission: Permission) throws {
        guard permissions.contains(permission) else {
            throw Problem.forbidden(
                role.map { "Your role (\($0.rawValue)) does not include '\(permission.rawValue)'." }
                    ?? "This API key lacks the '\(permission.rawValue)' scope.")
        }
    }
}
