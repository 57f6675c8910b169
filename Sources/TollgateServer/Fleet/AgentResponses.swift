import Foundation

/// An enrollment token as the API shows it; `token` only in the creation response.
struct EnrollmentTokenResponse: Encodable {
    let token: EnrollmentToken
    let secret: String?

    init(_ token: EnrollmentToken, secret: String? = nil) {
        self.token = token
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, label, status, token
        case maxUses = "max_uses", uses
        case expiresAt = "expires_at", usedAt = "used_at", usedByAgent = "used_by_agent", revokedAt = "revoked_at", createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(token.id, forKey: .id)
        try container.encode(token.label, forKey: .label)
        try container.encode(token.status, forKey: .status)
        try container.encode(token.expiresAt, forKey: .expiresAt)
        try container.encode(token.maxUses, forKey: .maxUses)
        try container.encode(token.uses, forKey: .uses)
        try container.encode(token.usedAt, forKey: .usedAt)
        try container.encode(token.usedByAgent, forKey: .usedByAgent)
        try container.encode(token.revokedAt, forKey: .revokedAt)
        try container.encode(token.createdAt, forKey: .createdAt)
        try container.encodeIfPresent(secret, forKey: .token)
    }
}

/// An edge agent as the API shows it (never its credential).
struct AgentResponse: Encodable {
    let agent: Agent

    init(_ agent: Agent) { self.agent = agent }

    enum CodingKeys: String, CodingKey {
        case id, name, version, address, status
        case tenantID = "tenant_id", lastSeenAt = "last_seen_at", revokedAt = "revoked_at", enrolledWith = "enrolled_with", createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent.id, forKey: .id)
        try container.encode(agent.tenantID, forKey: .tenantID)
        try container.encode(agent.name, forKey: .name)
        try container.encode(agent.version, forKey: .version)
        try container.encode(agent.address, forKey: .address)
        try container.encode(agent.lastSeenAt, forKey: .lastSeenAt)
        try container.encode(agent.status, forKey: .status)
        try container.encode(agent.revokedAt, forKey: .revokedAt)
        try container.encode(agent.enrolledWith, forKey: .enrolledWith)
        try container.encode(agent.createdAt, forKey: .createdAt)
    }
}

/// What enrollment answers: the agent's identity and its credential, shown only this once.
struct EnrollmentResponse: Encodable {
    let agentID: UUID
    let tenantID: UUID
    let name: String
    let credential: String

    enum CodingKeys: String, CodingKey {
        case name, credential
        case agentID = "agent_id", tenantID = "tenant_id"
    }
}
