import Foundation
import HTTPTypes

/// Enrollment tokens and edge-agent credentials: a token is shown once and exchanged once per agent it may enroll
/// (one by default), each time for a credential that is itself shown once; both are stored only HMAC-hashed. Every
/// change lands in the tenant's audit chain.
struct AgentService: Sendable {
    let agents: any AgentRepository
    let tokens: TokenHasher

    static let maxLabelLength = 100
    static let maxNameLength = 100
    static let maxVersionLength = 64
    static let maxTokenLength = 200
    /// Agent software versions: 1.4.2, 1.5.0-rc.1+build.7 …
    static let versionPattern = "^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$"
    static let minTTL = 60
    static let maxTTL = 7 * 86_400
    static let defaultTTL = 3_600
    static let maxUses = 1_000

    func createToken(
        label rawLabel: String, ttlSeconds: Int?, maxUses: Int?, by principal: Principal, caller: Caller
    ) async throws -> (EnrollmentToken, secret: String) {
        try principal.require(.sitesWrite)
        let label = try Self.text(rawLabel, field: "label", max: Self.maxLabelLength)
        let ttl = ttlSeconds ?? Self.defaultTTL
        guard (Self.minTTL...Self.maxTTL).contains(ttl) else {
            throw Problem.invalid(field: "ttl_seconds", "must be from \(Self.minTTL) (1 minute) to \(Self.maxTTL) (7 days)")
        }
        let uses = maxUses ?? 1
        guard (1...Self.maxUses).contains(uses) else {
            throw Problem.invalid(field: "max_uses", "must be from 1 to \(Self.maxUses) agents")
        }
        let secret = Tokens.agentEnrollment()
        let token = try await agents.createToken(
            tenantID: principal.tenant.id, label: label, tokenHash: tokens.hash(secret), expiresAt: Date().addingTimeInterval(Double(ttl)),
            maxUses: uses, createdBy: principal.user?.id,
            audit: { id in
                AuditRecord(
                    action: "agent.enrollment_token_created", actor: principal.actor, clientAddress: caller.clientAddress,
                    targetType: "agent_enrollment_token", targetID: id.uuidString, details: ["label": label, "ttl_seconds": String(ttl), "max_uses": String(uses)])
            })
        return (token, secret)
    }

    func revokeToken(id: UUID, by principal: Principal, caller: Caller) async throws {
        try principal.require(.sitesWrite)
        guard let token = try await agents.token(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("Enrollment token \(id)") }
        func conflict(_ token: EnrollmentToken) -> Problem {
            token.uses >= token.maxUses
                ? Problem.conflict("enrollment-token-used", "Enrollment token '\(token.label)' was already used; revoke the agent instead.")
                : Problem.conflict("already-revoked", "Enrollment token '\(token.label)' is already revoked.")
        }
        guard token.uses < token.maxUses, token.revokedAt == nil else { throw conflict(token) }
        do {
            try await agents.revokeToken(
                tenantID: principal.tenant.id, id: id,
                audit: AuditRecord(
                    action: "agent.enrollment_token_revoked", actor: principal.actor, clientAddress: caller.clientAddress,
                    targetType: "agent_enrollment_token", targetID: id.uuidString, details: ["label": token.label]))
        } catch AgentError.notFound {
            let now = try await agents.token(tenantID: principal.tenant.id, id: id) ?? token
            throw conflict(now)
        }
    }

    /// Exchanges an enrollment token for the agent's own credential, once.
    func enroll(token secret: String, name rawName: String, version rawVersion: String, caller: Caller) async throws -> (Agent, credential: String) {
        guard secret.hasPrefix("tge_"), secret.utf8.count <= Self.maxTokenLength,
            let ticket = try await agents.ticket(tokenHash: tokens.hash(secret))
        else {
            throw Problem(.unauthorized, "enrollment-token-invalid", title: "Enrollment token not recognised",
                          detail: "The enrollment token is not valid; create one with POST /v1/agents/enrollment-tokens or on the Agents page.")
        }
        guard ticket.tenantActive else { throw Problem.forbidden("The tenant is suspended; agents cannot enroll.") }
        try Self.usable(ticket.token)
        let name = try Self.text(rawName, field: "name", max: Self.maxNameLength)
        let version = try Self.version(rawVersion, field: "version")
        let credential = Tokens.agentCredential()
        do {
            let agent = try await agents.enroll(
                tenantID: ticket.tenantID, tokenID: ticket.token.id, name: name, version: version, credentialHash: tokens.hash(credential),
                address: caller.clientAddress,
                audit: { agent in
                    AuditRecord(
                        action: "agent.enrolled", actor: AuditActor(type: "agent", id: agent.id.uuidString, label: name),
                        clientAddress: caller.clientAddress, targetType: "agent", targetID: agent.id.uuidString,
                        details: ["name": name, "version": version, "enrollment_token": ticket.token.id.uuidString, "label": ticket.token.label])
                })
            return (agent, credential)
        } catch AgentError.tokenUnusable {
            // Lost a race with another enrollment (or the token lapsed or was revoked in between): say which.
            let now = try await agents.ticket(tokenHash: tokens.hash(secret))?.token ?? ticket.token
            try Self.usable(now)
            throw Self.unusable("The enrollment token was used by another agent.")
        }
    }

    func revokeAgent(id: UUID, by principal: Principal, caller: Caller) async throws {
        try principal.require(.sitesWrite)
        guard let agent = try await agents.agent(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("Agent \(id)") }
        guard agent.revokedAt == nil else { throw Problem.conflict("already-revoked", "Agent '\(agent.name)' is already revoked.") }
        do {
            try await agents.revokeAgent(
                tenantID: principal.tenant.id, id: id,
                audit: AuditRecord(
                    action: "agent.revoked", actor: principal.actor, clientAddress: caller.clientAddress, targetType: "agent",
                    targetID: id.uuidString, details: ["name": agent.name]))
        } catch AgentError.notFound {
            throw Problem.conflict("already-revoked", "Agent '\(agent.name)' is already revoked.")
        }
    }

    static func usable(_ token: EnrollmentToken) throws {
        if token.uses >= token.maxUses {
            throw unusable(
                token.maxUses == 1
                    ? "The enrollment token was already used; each token enrolls one agent."
                    : "The enrollment token has enrolled all \(token.maxUses) agents it was created for.")
        }
        if token.revokedAt != nil { throw unusable("The enrollment token was revoked.") }
        if token.expiresAt <= Date() { throw unusable("The enrollment token has expired; create a new one.") }
    }

    static func unusable(_ reason: String) -> Problem {
        Problem(.gone, "enrollment-token-unusable", title: "Enrollment token cannot be used", detail: reason)
    }

    static func text(_ raw: String, field: String, max: Int) throws -> String {
        // Code points, as JSON Schema's maxLength counts them.
        guard raw.unicodeScalars.count <= max else { throw Problem.invalid(field: field, "must be at most \(max) characters") }
        return try Validation.text(raw, field: field, required: true, max: max)
    }

    static func version(_ raw: String, field: String) throws -> String {
        guard raw.range(of: versionPattern, options: .regularExpression) != nil else {
            throw Problem.invalid(field: field, "must be a version like 1.4.2 (letters, digits, . + _ -; at most \(maxVersionLength) characters)")
        }
        return raw
    }
}
