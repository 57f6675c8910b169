import Foundation
import PostgresNIO

public struct PostgresMemberRepository: MemberRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    /// pending, accepted, revoked or expired, from an invite row whose columns carry `prefix`.
    private static func inviteStatus(_ prefix: String) -> String {
        """
        CASE WHEN \(prefix)accepted_at IS NOT NULL THEN 'accepted' WHEN \(prefix)revoked_at IS NOT NULL THEN 'revoked'
             WHEN \(prefix)expires_at <= now() THEN 'expired' ELSE 'pending' END
        """
    }

    public func members(tenantID: UUID) async throws -> [Member] {
        try await database.withTenant(tenantID) { connection in
            try await Self.members(on: connection, tenantID: tenantID, userID: nil, logger: database)
        }
    }

    public func member(tenantID: UUID, userID: UUID) async throws -> Member? {
        try await database.withTenant(tenantID) { connection in
            try await Self.members(on: connection, tenantID: tenantID, userID: userID, logger: database).first
        }
    }

    private static func members(on connection: PostgresConnection, tenantID: UUID, userID: UUID?, logger database: Database) async throws -> [Member] {
        let rows = try await connection.query(
            """
            SELECT u.id, u.email, u.name, m.role, u.totp_enabled, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.tenant_id = \(tenantID) AND (\(userID)::uuid IS NULL OR m.user_id = \(userID))
            ORDER BY m.created_at, u.email
            """, logger: database.logger)
        var result: [Member] = []
        for try await (id, email, name, role, totp, joined) in rows.decode((UUID, String, String, String, Bool, Date).self) {
            result.append(Member(userID: id, email: email, name: name, role: Role(rawValue: role) ?? .viewer, totpEnabled: totp, joinedAt: joined))
        }
        return result
    }

    /// Locks the tenant's owner rows so two concurrent demotions cannot both pass the last-owner check.
    private func ownerCount(on connection: PostgresConnection, tenantID: UUID) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(
            "SELECT user_id FROM memberships WHERE tenant_id = \(tenantID) AND role = 'owner' FOR UPDATE", logger: database.logger
        ) { count += 1 }
        return count
    }

    public func changeRole(tenantID: UUID, userID: UUID, to role: Role, audit: AuditRecord) async throws -> Member {
        try await database.withTenant(tenantID) { connection in
            let owners = try await ownerCount(on: connection, tenantID: tenantID)
            guard let current = try await Self.members(on: connection, tenantID: tenantID, userID: userID, logger: database).first else {
                throw MemberError.notFound
            }
            if current.role == .owner && role != .owner && owners <= 1 { throw MemberError.lastOwner }
            try await connection.query(
                "UPDATE memberships SET role = \(role.rawValue) WHERE tenant_id = \(tenantID) AND user_id = \(userID)",
                logger: database.logger)
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
            return Member(userID: current.userID, email: current.email, name: current.name, role: role, totpEnabled: current.totpEnabled, joinedAt: current.joinedAt)
        }
    }

    public func remove(tenantID: UUID, userID: UUID, audit: AuditRecord) async throws {
        try await database.withTenant(tenantID) { connection in
            let owners = try await ownerCount(on: connection, tenantID: tenantID)
            guard let current = try await Self.members(on: connection, tenantID: tenantID, userID: userID, logger: database).first else {
                throw MemberError.notFound
            }
            if current.role == .owner && owners <= 1 { throw MemberError.lastOwner }
            try await connection.query(
                "UPDATE sessions SET revoked_at = now() WHERE tenant_id = \(tenantID) AND user_id = \(userID) AND revoked_at IS NULL",
                logger: database.logger)
            try await connection.query(
                "DELETE FROM memberships WHERE tenant_id = \(tenantID) AND user_id = \(userID)", logger: database.logger)
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }

    public func createInvite(tenantID: UUID, _ invite: NewInvite, audit: (UUID) -> AuditRecord) async throws -> Invite {
        try await database.withTenant(tenantID) { connection in
            let isMember = try await connection.query(
                """
                SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.tenant_id = \(tenantID) AND lower(u.email) = lower(\(invite.email))
                """, logger: database.logger
            ).decode(Int.self).first { _ in true } != nil
            if isMember { throw MemberError.alreadyMember }
            // A new invite replaces any still-open one for the same address.
            try await connection.query(
                """
                UPDATE invites SET revoked_at = now()
                WHERE tenant_id = \(tenantID) AND lower(email) = lower(\(invite.email)) AND accepted_at IS NULL AND revoked_at IS NULL
                """, logger: database.logger)
            let rows = try await connection.query(
                """
                INSERT INTO invites (tenant_id, email, role, token_hash, invited_by, expires_at)
                VALUES (\(tenantID), \(invite.email), \(invite.role.rawValue), \(bytea: invite.tokenHash), \(invite.invitedBy), \(invite.expiresAt))
                RETURNING id, email, role, created_at, expires_at, 'pending'
                """, logger: database.logger)
            let created = try await Self.invites(rows)[0]
            try await AuditLog.append(audit(created.id), tenantID: tenantID, on: connection, logger: database.logger)
            return created
        }
    }


    public func invites(tenantID: UUID) async throws -> [Invite] {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT id, email, role, created_at, expires_at, \(unescaped: Self.inviteStatus("")) FROM invites WHERE tenant_id = \(tenantID) AND accepted_at IS NULL AND revoked_at IS NULL
                ORDER BY created_at DESC LIMIT 500
                """, logger: database.logger)
            return try await Self.invites(rows)
        }
    }

    public func revokeInvite(tenantID: UUID, id: UUID, audit: AuditRecord) async throws {
        try await database.withTenant(tenantID) { connection in
            let revoked = try await connection.query(
                """
                UPDATE invites SET revoked_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id) AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id
                """, logger: database.logger
            ).decode(UUID.self).first { _ in true }
            guard revoked != nil else { throw MemberError.notFound }
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }

    public func ticket(tokenHash: [UInt8]) async throws -> InviteTicket? {
        try await database.withPlatform { connection in
            try await Self.ticket(on: connection, tokenHash: tokenHash, lock: false, database: database)
        }
    }

    private static func ticket(on connection: PostgresConnection, tokenHash: [UInt8], lock: Bool, database: Database) async throws -> InviteTicket? {
        let rows = try await connection.query(
            """
            SELECT i.id, i.email, i.role, i.created_at, i.expires_at, \(unescaped: Self.inviteStatus("i.")),
                   t.id, t.name, t.status, (SELECT u.id FROM users u WHERE lower(u.email) = lower(i.email))
            FROM invites i JOIN tenants t ON t.id = i.tenant_id
            WHERE i.token_hash = \(bytea: tokenHash) \(unescaped: lock ? "FOR UPDATE OF i" : "")
            """, logger: database.logger)
        for try await (id, email, role, created, expires, status, tenantID, tenantName, tenantStatus, userID) in rows.decode(
            (UUID, String, String, Date, Date, String, UUID, String, String, UUID?).self)
        {
            return InviteTicket(
                invite: Invite(id: id, email: email, role: Role(rawValue: role) ?? .viewer, createdAt: created, expiresAt: expires, status: status),
                tenant: TenantSummary(id: tenantID, name: tenantName, status: tenantStatus), existingUserID: userID)
        }
        return nil
    }

    public func accept(tokenHash: [UInt8], as acceptance: InviteAcceptance, clientAddress: String) async throws -> (TenantSummary, UserSummary, Role) {
        do {
            return try await database.withPlatform { connection in
                guard let ticket = try await Self.ticket(on: connection, tokenHash: tokenHash, lock: true, database: database) else {
                    throw MemberError.inviteUnusable("This invite link is not valid.")
                }
                switch ticket.invite.status {
                case "pending": break
                case "expired": throw MemberError.inviteUnusable("This invite has expired; ask for a new one.")
                case "accepted": throw MemberError.inviteUnusable("This invite has already been used.")
                default: throw MemberError.inviteUnusable("This invite was withdrawn.")
                }
                guard ticket.tenant.isActive else { throw MemberError.inviteUnusable("This tenant is suspended.") }
                let user: UserSummary
                switch acceptance {
                case .newUser(let name, let passwordHash):
                    let id = try await connection.query(
                        "INSERT INTO users (email, name, password_hash) VALUES (\(ticket.invite.email), \(name), \(passwordHash)) RETURNING id",
                        logger: database.logger
                    ).decode(UUID.self).first { _ in true }!
                    user = UserSummary(id: id, email: ticket.invite.email, name: name, totpEnabled: false)
                case .existingUser(let id):
                    let row = try await connection.query(
                        "SELECT email, name, totp_enabled FROM users WHERE id = \(id)", logger: database.logger
                    ).decode((String, String, Bool).self).first { _ in true }
                    guard let (email, name, totp) = row else { throw MemberError.notFound }
                    user = UserSummary(id: id, email: email, name: name, totpEnabled: totp)
                }
                try await connection.query(
                    """
                    INSERT INTO memberships (tenant_id, user_id, role) VALUES (\(ticket.tenant.id), \(user.id), \(ticket.invite.role.rawValue))
                    """, logger: database.logger)
                try await connection.query(
                    "UPDATE invites SET accepted_at = now(), accepted_by = \(user.id) WHERE id = \(ticket.invite.id)", logger: database.logger)
                try await AuditLog.append(
                    AuditRecord(
                        action: "member.joined", actor: AuditActor(type: "user", id: user.id.uuidString, label: user.email),
                        clientAddress: clientAddress, targetType: "user", targetID: user.id.uuidString,
                        details: ["role": ticket.invite.role.rawValue, "invite_id": ticket.invite.id.uuidString]),
                    tenantID: ticket.tenant.id, on: connection, logger: database.logger)
                return (ticket.tenant, user, ticket.invite.role)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw MemberError.alreadyMember
        }
    }

    private static func invites(_ rows: PostgresRowSequence) async throws -> [Invite] {
        var result: [Invite] = []
        for try await (id, email, role, created, expires, status) in rows.decode((UUID, String, String, Date, Date, String).self) {
            result.append(Invite(id: id, email: email, role: Role(rawValue: role) ?? .viewer, createdAt: created, expiresAt: expires, status: status))
        }
        return result
    }
}
