import Foundation

public struct Membership: Codable, Sendable, Equatable {
    public let tenantID: UUID
    public let tenantName: String
    public let tenantStatus: String
    public let role: Role
}

/// What login needs to know about an email address.
public struct LoginCandidate: Sendable {
    public let user: UserSummary
    public let passwordHash: String
    public let totpSecret: [UInt8]?
    public let memberships: [Membership]
}

public struct NewSession: Sendable {
    public let tenantID: UUID
    public let userID: UUID
    public let tokenHash: [UInt8]
    public let csrfToken: String
    public let expiresAt: Date
    public let clientAddress: String
    public let userAgent: String
}

public protocol SessionRepository: Sendable {
    func loginCandidate(email: String) async throws -> LoginCandidate?
    func memberships(userID: UUID) async throws -> [Membership]
    func createSession(_ session: NewSession, audit: AuditRecord) async throws
    func principal(sessionTokenHash: [UInt8]) async throws -> Principal?
    func revokeSession(id: UUID, tenantID: UUID, audit: AuditRecord) async throws
    func updatePasswordHash(userID: UUID, hash: String) async throws
    /// Records a TOTP step as used; false when it (or a later one) was used before — a replay.
    func consumeTOTPStep(userID: UUID, step: Int64) async throws -> Bool
    func recordFailedLogin(tenantIDs: [UUID], audit: AuditRecord) async throws
    func pendingTOTPSecret(userID: UUID) async throws -> [UInt8]?
    func startTOTPEnrolment(userID: UUID, secret: [UInt8]) async throws
    func setTOTPEnabled(_ enabled: Bool, userID: UUID, tenantID: UUID, audit: AuditRecord) async throws
}
