import Foundation

public struct Member: Codable, Sendable, Equatable {
    public let userID: UUID
    public let email: String
    public let name: String
    public let role: Role
    public let totpEnabled: Bool
    public let joinedAt: Date
}

public struct Invite: Codable, Sendable, Equatable {
    public let id: UUID
    public let email: String
    public let role: Role
    public let createdAt: Date
    public let expiresAt: Date
    /// pending, accepted, revoked or expired.
    public let status: String
}

/// An invite as seen by the person holding its token.
public struct InviteTicket: Sendable {
    public let invite: Invite
    public let tenant: TenantSummary
    public let existingUserID: UUID?
}

public struct NewInvite: Sendable {
    public let email: String
    public let role: Role
    public let tokenHash: [UInt8]
    public let invitedBy: UUID?
    public let expiresAt: Date
}

/// How an invite is accepted: by a new person choosing a password, or by an existing account (already verified).
public enum InviteAcceptance: Sendable {
    case newUser(name: String, passwordHash: String)
    case existingUser(UUID)
}

public enum MemberError: Error, Equatable {
    case notFound
    case lastOwner
    case alreadyMember
    case inviteUnusable(String)
}

public protocol MemberRepository: Sendable {
    func members(tenantID: UUID) async throws -> [Member]
    func member(tenantID: UUID, userID: UUID) async throws -> Member?
    func changeRole(tenantID: UUID, userID: UUID, to role: Role, audit: AuditRecord) async throws -> Member
    func remove(tenantID: UUID, userID: UUID, audit: AuditRecord) async throws
    func createInvite(tenantID: UUID, _ invite: NewInvite, audit: (UUID) -> AuditRecord) async throws -> Invite
    func invites(tenantID: UUID) async throws -> [Invite]
    func revokeInvite(tenantID: UUID, id: UUID, audit: AuditRecord) async throws
    func ticket(tokenHash: [UInt8]) async throws -> InviteTicket?
    func accept(tokenHash: [UInt8], as acceptance: InviteAcceptance, clientAddress: String) async throws -> (TenantSummary, UserSummary, Role)
}
