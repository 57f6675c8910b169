import Foundation
import Hummingbird
import Logging
import TollgateCore

/// A freshly issued browser session.
public struct SessionGrant: Sendable {
    public let token: String
    public let csrfToken: String
    public let expiresAt: Date
    public let tenant: TenantSummary
    public let user: UserSummary
    public let role: Role
}

/// Who is calling from where, for audit records and throttling.
struct Caller: Sendable {
    let clientAddress: String
    let userAgent: String

    init(request: Request, context: AppRequestContext) {
        clientAddress = context.clientAddress
        userAgent = request.headers[.userAgent] ?? ""
    }

    init(clientAddress: String, userAgent: String) {
        self.clientAddress = clientAddress
        self.userAgent = userAgent
    }
}

/// Sign-up, sign-in, sign-out, invite acceptance and TOTP: the flows the API and the dashboard share.
struct AccountService: Sendable {
    let tenants: any TenantRepository
    let sessions: any SessionRepository
    let members: any MemberRepository
    let throttle: LoginThrottle
    let passwords: PasswordHasher
    let tokens: TokenHasher
    let authenticator: Authenticator
    let sessionLifetime: Duration
    let secureCookies: Bool
    /// A hash of a random password with the configured cost, verified against when the email is unknown.
    let decoyHash: String
    let logger: Logger

    static let invalidCredentials = Problem(
        .unauthorized, "invalid-credentials", title: "Sign-in failed", detail: "The email address or password is wrong.")

    func signup(tenantName: String, email: String, password: String, name: String, caller: Caller) async throws -> SessionGrant {
        var errors: [Problem.FieldError] = []
        func collect<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let problem as Problem { errors += problem.errors; return nil } catch { return nil }
        }
        let tenantName = collect { try Validation.text(tenantName, field: "tenant_name", required: true, max: 200) }
        let email = collect { try Validation.email(email) }
        collect { try Validation.password(password) }
        let name = collect { try Validation.text(name, field: "name", required: false, max: 200) }
        guard errors.isEmpty, let tenantName, let email, let name else { throw Problem.invalid(errors) }

        let hash = try await passwords.hash(password)
        let created: (tenant: TenantSummary, user: UserSummary)
        do {
            created = try await tenants.signup(
                SignupRequest(tenantName: tenantName, email: email, name: name, passwordHash: hash), clientAddress: caller.clientAddress)
        } catch TenantError.emailTaken {
            throw Problem.conflict("email-taken", "An account with this email address already exists; sign in instead.")
        }
        return try await startSession(tenant: created.tenant, user: created.user, role: .owner, caller: caller, action: "session.created")
    }

    func login(email rawEmail: String, password: String, totpCode: String?, tenantID: UUID?, caller: Caller) async throws -> SessionGrant {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !email.isEmpty, email.utf8.count <= 254, !password.isEmpty, password.utf8.count <= 1024 else {
            throw Self.invalidCredentials
        }
        try await throttle.check(email: email, address: caller.clientAddress)
        guard let candidate = try await sessions.loginCandidate(email: email) else {
            // Same work and same answer as a wrong password, so responses do not reveal which emails exist.
            _ = try await passwords.verify(password, against: decoyHash)
            try await throttle.recordFailure(email: email, address: caller.clientAddress)
            throw Self.invalidCredentials
        }
        guard try await passwords.verify(password, against: candidate.passwordHash) else {
            try await failed(candidate, caller: caller, reason: "wrong password")
            throw Self.invalidCredentials
        }
        if let secret = candidate.totpSecret {
            guard let code = totpCode, !code.isEmpty else {
                throw Problem(
                    .unauthorized, "totp-required", title: "Second factor required",
                    detail: "This account uses an authenticator app; send its current 6-digit code as totp_code.")
            }
            guard let step = TOTP(secret: secret).matchingStep(for: code, at: Date()),
                try await sessions.consumeTOTPStep(userID: candidate.user.id, step: step)
            else {
                try await failed(candidate, caller: caller, reason: "wrong or reused TOTP code")
                throw Problem(.unauthorized, "totp-invalid", title: "Sign-in failed", detail: "The authenticator code is wrong or was already used.")
            }
        }
        let membership: Membership? =
            if let tenantID { candidate.memberships.first { $0.tenantID == tenantID } } else {
                candidate.memberships.first { $0.tenantStatus == "active" } ?? candidate.memberships.first
            }
        guard let membership else {
            throw Problem(.forbidden, "no-membership", title: "No tenant", detail: "This account is not a member of that tenant (or of any).")
        }
        guard membership.tenantStatus == "active" else {
            throw Problem(.forbidden, "tenant-suspended", title: "Tenant suspended", detail: "The tenant '\(membership.tenantName)' is suspended; contact support.")
        }
        try await throttle.recordSuccess(email: email)
        if passwords.needsRehash(candidate.passwordHash) {
            try await sessions.updatePasswordHash(userID: candidate.user.id, hash: try await passwords.hash(password))
        }
        return try await startSession(
            tenant: TenantSummary(id: membership.tenantID, name: membership.tenantName, status: membership.tenantStatus),
            user: candidate.user, role: membership.role, caller: caller, action: "session.created")
    }

    private func failed(_ candidate: LoginCandidate, caller: Caller, reason: String) async throws {
        try await throttle.recordFailure(email: candidate.user.email, address: caller.clientAddress)
        try await sessions.recordFailedLogin(
            tenantIDs: candidate.memberships.map(\.tenantID),
            audit: AuditRecord(
                action: "session.login_failed", actor: AuditActor(type: "user", id: candidate.user.id.uuidString, label: candidate.user.email),
                clientAddress: caller.clientAddress, targetType: "user", targetID: candidate.user.id.uuidString,
                details: ["reason": reason]))
    }

    func logout(_ principal: Principal, caller: Caller) async throws {
        guard case .session(let id, _) = principal.credential else {
            throw Problem.forbidden("Only a browser session can be signed out; revoke API keys at /v1/api-keys.")
        }
        try await sessions.revokeSession(
            id: id, tenantID: principal.tenant.id,
            audit: AuditRecord(
                action: "session.ended", actor: principal.actor, clientAddress: caller.clientAddress,
                targetType: "session", targetID: id.uuidString))
        authenticator.invalidate(tenantID: principal.tenant.id)
    }

    func ticket(token: String) async throws -> InviteTicket {
        guard let ticket = try await members.ticket(tokenHash: tokens.hash(token)) else {
            throw Problem(.notFound, "invite-invalid", title: "Invite not found", detail: "This invite link is not valid.")
        }
        return ticket
    }

    /// New people choose a password; people who already have an account confirm with theirs.
    func acceptInvite(token: String, password: String, name: String, caller: Caller) async throws -> SessionGrant {
        let ticket = try await ticket(token: token)
        let acceptance: InviteAcceptance
        if let existing = ticket.existingUserID {
            guard let candidate = try await sessions.loginCandidate(email: ticket.invite.email),
                try await passwords.verify(password, against: candidate.passwordHash)
            else {
                throw Problem(
                    .unauthorized, "invalid-credentials", title: "Sign-in failed",
                    detail: "An account with this email address already exists; enter its password to join.")
            }
            acceptance = .existingUser(existing)
        } else {
            try Validation.password(password)
            let name = try Validation.text(name, field: "name", required: false, max: 200)
            acceptance = .newUser(name: name, passwordHash: try await passwords.hash(password))
        }
        let (tenant, user, role): (TenantSummary, UserSummary, Role)
        do {
            (tenant, user, role) = try await members.accept(tokenHash: tokens.hash(token), as: acceptance, clientAddress: caller.clientAddress)
        } catch MemberError.inviteUnusable(let reason) {
            throw Problem(.gone, "invite-unusable", title: "Invite cannot be used", detail: reason)
        } catch MemberError.alreadyMember {
            throw Problem.conflict("already-member", "You are already a member of this tenant; sign in instead.")
        }
        return try await startSession(tenant: tenant, user: user, role: role, caller: caller, action: "session.created")
    }

    private func startSession(tenant: TenantSummary, user: UserSummary, role: Role, caller: Caller, action: String) async throws -> SessionGrant {
        let token = Tokens.session()
        let csrf = Tokens.csrf()
        let expiresAt = Date().addingTimeInterval(Double(sessionLifetime.components.seconds))
        try await sessions.createSession(
            NewSession(
                tenantID: tenant.id, userID: user.id, tokenHash: tokens.hash(token), csrfToken: csrf, expiresAt: expiresAt,
                clientAddress: caller.clientAddress, userAgent: caller.userAgent),
            audit: AuditRecord(
                action: action, actor: AuditActor(type: "user", id: user.id.uuidString, label: user.email),
                clientAddress: caller.clientAddress, targetType: "user", targetID: user.id.uuidString,
                details: ["user_agent": String(caller.userAgent.prefix(200))]))
        return SessionGrant(token: token, csrfToken: csrf, expiresAt: expiresAt, tenant: tenant, user: user, role: role)
    }

    func sessionCookie(_ grant: SessionGrant) -> Cookie {
        Cookie(
            name: Authenticator.sessionCookie, value: grant.token, expires: grant.expiresAt, path: "/", secure: secureCookies,
            httpOnly: true, sameSite: .lax)
    }

    func clearedSessionCookie() -> Cookie {
        Cookie(name: Authenticator.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    // MARK: TOTP

    func beginTOTP(_ principal: Principal) async throws -> TOTP {
        guard principal.isSession, let user = principal.user else {
            throw Problem.forbidden("A second factor belongs to a person; sign in with a session to set it up.")
        }
        guard !user.totpEnabled else {
            throw Problem.conflict("totp-already-enabled", "An authenticator is already set up; disable it first to replace it.")
        }
        let secret = TOTP.generateSecret()
        try await sessions.startTOTPEnrolment(userID: user.id, secret: secret)
        return TOTP(secret: secret)
    }

    /// The secret being enrolled but not yet confirmed, if any.
    func pendingTOTP(_ principal: Principal) async throws -> TOTP? {
        guard principal.isSession, let user = principal.user else { return nil }
        return try await sessions.pendingTOTPSecret(userID: user.id).map(TOTP.init(secret:))
    }

    func setTOTP(enabled: Bool, code: String, principal: Principal, caller: Caller) async throws {
        guard principal.isSession, let user = principal.user else {
            throw Problem.forbidden("A second factor belongs to a person; sign in with a session to change it.")
        }
        guard let candidate = try await sessions.loginCandidate(email: user.email) else { throw Problem.unauthenticated() }
        let secret = enabled ? try await sessions.pendingTOTPSecret(userID: user.id) : candidate.totpSecret
        guard let secret else {
            throw Problem.conflict(
                enabled ? "totp-not-started" : "totp-not-enabled",
                enabled ? "Start with POST /v1/me/totp to get a secret first." : "No authenticator is set up.")
        }
        guard let step = TOTP(secret: secret).matchingStep(for: code, at: Date()),
            try await sessions.consumeTOTPStep(userID: user.id, step: step)
        else {
            throw Problem.invalid(field: "code", "is not the authenticator's current code")
        }
        try await sessions.setTOTPEnabled(
            enabled, userID: user.id, tenantID: principal.tenant.id,
            audit: AuditRecord(
                action: enabled ? "user.totp_enabled" : "user.totp_disabled", actor: principal.actor,
                clientAddress: caller.clientAddress, targetType: "user", targetID: user.id.uuidString))
        authenticator.invalidate(tenantID: principal.tenant.id)
    }

}
