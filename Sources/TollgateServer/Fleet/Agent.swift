import Foundation

/// A token a tenant hands to new edge agents; each agent exchanges it for its own credential. It enrolls
/// `maxUses` agents (one unless asked otherwise, e.g. for the replicas of a StatefulSet).
public struct EnrollmentToken: Sendable, Equatable {
    public let id: UUID
    public let label: String
    public let expiresAt: Date
    public let maxUses: Int
    public let uses: Int
    /// The latest use and the agent it enrolled.
    public let usedAt: Date?
    public let usedByAgent: UUID?
    public let revokedAt: Date?
    public let createdAt: Date

    /// pending (uses left), used (all of them), expired or revoked.
    public var status: String {
        if uses >= maxUses { return "used" }
        if revokedAt != nil { return "revoked" }
        if expiresAt <= Date() { return "expired" }
        return "pending"
    }
}

/// An enrolled edge agent.
public struct Agent: Sendable, Equatable {
    public let id: UUID
    public let tenantID: UUID
    public let name: String
    public let version: String
    public let address: String?
    public let lastSeenAt: Date?
    public let revokedAt: Date?
    public let enrolledWith: UUID
    public let createdAt: Date

    /// active or revoked.
    public var status: String { revokedAt == nil ? "active" : "revoked" }
}

/// An enrollment token found by its hash (platform-wide), with its tenant.
public struct EnrollmentTicket: Sendable {
    public let tenantID: UUID
    public let tenantActive: Bool
    public let token: EnrollmentToken
}

/// An agent credential found by its hash (platform-wide): the agent and whether its tenant is active.
public struct AgentCandidate: Sendable {
    public let agent: Agent
    public let tenantActive: Bool
}

public enum AgentError: Error, Equatable {
    case notFound
    /// The token was used, revoked or expired between the lookup and the claim.
    case tokenUnusable
}

public protocol AgentRepository: Sendable {
    func createToken(
        tenantID: UUID, label: String, tokenHash: [UInt8], expiresAt: Date, maxUses: Int, createdBy: UUID?,
        audit: (UUID) -> AuditRecord
    ) async throws -> EnrollmentToken
    /// Newest first; `after` is the last token of the previous page.
    func tokens(tenantID: UUID, limit: Int, after: UUID?) async throws -> [EnrollmentToken]
    func token(tenantID: UUID, id: UUID) async throws -> EnrollmentToken?
    /// Throws `AgentError.notFound` when there is no such unrevoked token with uses left.
    func revokeToken(tenantID: UUID, id: UUID, audit: AuditRecord) async throws

    /// Platform-wide: the token with this hash and its tenant, whatever its state.
    func ticket(tokenHash: [UInt8]) async throws -> EnrollmentTicket?
    /// Claims one use of the token (uses left, unrevoked, unexpired) and creates the agent, atomically; throws
    /// `AgentError.tokenUnusable` when other requests took the last use first or it lapsed meanwhile.
    func enroll(
        tenantID: UUID, tokenID: UUID, name: String, version: String, credentialHash: [UInt8], address: String,
        audit: (Agent) -> AuditRecord
    ) async throws -> Agent

    /// Newest first; `after` is the last agent of the previous page.
    func agents(tenantID: UUID, limit: Int, after: UUID?) async throws -> [Agent]
    func agent(tenantID: UUID, id: UUID) async throws -> Agent?
    /// Throws `AgentError.notFound` when there is no such unrevoked agent.
    func revokeAgent(tenantID: UUID, id: UUID, audit: AuditRecord) async throws

    /// Platform-wide: the unrevoked agent holding this credential.
    func candidate(credentialHash: [UInt8]) async throws -> AgentCandidate?
    /// Records a call from the agent: its version (when given), address and time.
    func markSeen(tenantID: UUID, id: UUID, version: String?, address: String) async throws -> Agent?
}
