import Foundation
import Hummingbird

/// Inviting, re-roling and removing members, with the rules both the API and the dashboard enforce:
/// only owners touch the owner role, and the last owner can never be demoted or removed.
struct TeamService: Sendable {
    let members: any MemberRepository
    let tokens: TokenHasher
    let authenticator: Authenticator
    let inviteLifetime: Duration
    let publicURL: String

    struct IssuedInvite: Sendable {
        let invite: Invite
        let token: String
        let acceptURL: String
    }

    private func requireOwner(_ principal: Principal, _ action: String) throws {
        guard principal.role == .owner else { throw Problem.forbidden("Only an owner can \(action).") }
    }

    func invite(email rawEmail: String, role rawRole: String, by principal: Principal, caller: Caller) async throws -> IssuedInvite {
        try principal.require(.membersWrite)
        let email = try Validation.email(rawEmail)
        let role = try Validation.role(rawRole)
        if role == .owner { try requireOwner(principal, "invite another owner") }
        let token = Tokens.invite()
        do {
            let invite = try await members.createInvite(
                tenantID: principal.tenant.id,
                NewInvite(
                    email: email, role: role, tokenHash: tokens.hash(token), invitedBy: principal.user?.id,
                    expiresAt: Date().addingTimeInterval(Double(inviteLifetime.components.seconds))),
                audit: { id in
                    AuditRecord(
                        action: "member.invited", actor: principal.actor, clientAddress: caller.clientAddress,
                        targetType: "invite", targetID: id.uuidString, details: ["email": email, "role": role.rawValue])
                })
            return IssuedInvite(invite: invite, token: token, acceptURL: "\(publicURL)/invite/\(token)")
        } catch MemberError.alreadyMember {
            throw Problem.conflict("already-member", "\(email) is already a member of this tenant.")
        }
    }

    func revokeInvite(id: UUID, by principal: Principal, caller: Caller) async throws {
        try principal.require(.membersWrite)
        do {
            try await members.revokeInvite(
                tenantID: principal.tenant.id, id: id,
                audit: AuditRecord(
                    action: "member.invite_revoked", actor: principal.actor, clientAddress: caller.clientAddress,
                    targetType: "invite", targetID: id.uuidString))
        } catch MemberError.notFound {
            throw Problem.notFound("Invite \(id)")
        }
    }

    func changeRole(userID: UUID, to rawRole: String, by principal: Principal, caller: Caller) async throws -> Member {
        try principal.require(.membersWrite)
        let role = try Validation.role(rawRole)
        guard let current = try await members.member(tenantID: principal.tenant.id, userID: userID) else {
            throw Problem.notFound("Member \(userID)")
        }
        if current.role == .owner || role == .owner { try requireOwner(principal, "grant or take away the owner role") }
        do {
            let updated = try await members.changeRole(
                tenantID: principal.tenant.id, userID: userID, to: role,
                audit: AuditRecord(
                    action: "member.role_changed", actor: principal.actor, clientAddress: caller.clientAddress,
                    targetType: "user", targetID: userID.uuidString,
                    details: ["email": current.email, "from": current.role.rawValue, "to": role.rawValue]))
            authenticator.invalidate(tenantID: principal.tenant.id)
            return updated
        } catch MemberError.lastOwner {
            throw Self.lastOwner
        } catch MemberError.notFound {
            throw Problem.notFound("Member \(userID)")
        }
    }

    func remove(userID: UUID, by principal: Principal, caller: Caller) async throws {
        let leaving = principal.isSession && principal.user?.id == userID
        if !leaving { try principal.require(.membersWrite) }
        guard let current = try await members.member(tenantID: principal.tenant.id, userID: userID) else {
            throw Problem.notFound("Member \(userID)")
        }
        if current.role == .owner && !leaving { try requireOwner(principal, "remove an owner") }
        do {
            try await members.remove(
                tenantID: principal.tenant.id, userID: userID,
                audit: AuditRecord(
                    action: "member.removed", actor: principal.actor, clientAddress: caller.clientAddress,
                    targetType: "user", targetID: userID.uuidString, details: ["email": current.email, "role": current.role.rawValue]))
            authenticator.invalidate(tenantID: principal.tenant.id)
        } catch MemberError.lastOwner {
            throw Self.lastOwner
        } catch MemberError.notFound {
            throw Problem.notFound("Member \(userID)")
        }
    }

    static let lastOwner = Problem.conflict(
        "last-owner", "A tenant must keep at least one owner; make someone else an owner first.")
}
