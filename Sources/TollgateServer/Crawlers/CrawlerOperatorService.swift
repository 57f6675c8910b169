import Foundation
import Hummingbird
import TollgateCore

/// Sign-up, sign-in and accounts for crawler operators. Their bearer tokens (`tgp_…`) live 30 days.
struct CrawlerOperatorService: Sendable {
    let operators: any CrawlerOperatorRepository
    let passwords: PasswordHasher
    let tokens: TokenHasher
    let throttle: LoginThrottle
    let decoyHash: String

    static let tokenLifetime: TimeInterval = 30 * 86_400

    struct IssuedToken: Sendable {
        let crawlerOperator: CrawlerOperator
        let token: String
        let expiresAt: Date
    }

    func signup(email rawEmail: String, password: String, name rawName: String, caller: Caller) async throws -> IssuedToken {
        var errors: [Problem.FieldError] = []
        func collect<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let problem as Problem { errors += problem.errors; return nil } catch { return nil }
        }
        let email = collect { try Validation.email(rawEmail) }
        collect { try Validation.password(password) }
        let name = collect { try Validation.text(rawName, field: "name", required: true, max: 200) }
        guard errors.isEmpty, let email, let name else { throw Problem.invalid(errors) }
        let created: CrawlerOperator
        do {
            created = try await operators.createOperator(email: email, name: name, passwordHash: try await passwords.hash(password)) { id in
                AuditRecord(
                    action: "crawler_operator.created", actor: AuditActor(type: "crawler_operator", id: id.uuidString, label: email),
                    clientAddress: caller.clientAddress, targetType: "crawler_operator", targetID: id.uuidString, details: ["name": name])
            }
        } catch CrawlerAccountError.emailTaken {
            throw Problem.conflict("email-taken", "A crawler operator with this email address already exists; sign in instead.")
        }
        return try await issue(created)
    }

    func login(email: String, password: String, caller: Caller) async throws -> IssuedToken {
        let key = "crawler:" + email.lowercased()
        try await throttle.check(email: key, address: caller.clientAddress)
        let found = try await operators.credentials(email: email)
        // The decoy keeps unknown emails as slow as wrong passwords.
        guard try await passwords.verify(password, against: found?.passwordHash ?? decoyHash), let (account, _) = found else {
            try await throttle.recordFailure(email: key, address: caller.clientAddress)
            throw AccountService.invalidCredentials
        }
        guard account.status == "active" else {
            throw Problem(.forbidden, "crawler-operator-suspended", title: "Account suspended", detail: "This crawler operator is suspended; contact support.")
        }
        try await throttle.recordSuccess(email: key)
        return try await issue(account)
    }

    private func issue(_ account: CrawlerOperator) async throws -> IssuedToken {
        let token = Tokens.crawlerOperator()
        let expiresAt = Date().addingTimeInterval(Self.tokenLifetime)
        try await operators.createToken(operatorID: account.id, tokenHash: tokens.hash(token), expiresAt: expiresAt)
        return IssuedToken(crawlerOperator: account, token: token, expiresAt: expiresAt)
    }

    /// The operator behind `Authorization: Bearer tgp_…`, and the token itself (sign-out revokes it).
    func require(_ request: Request) async throws -> (CrawlerOperator, String) {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer tgp_") else {
            throw Problem.unauthenticated(
                "Crawler routes need 'Authorization: Bearer <crawler token>' from POST /v1/crawler/signup or /v1/crawler/sessions.")
        }
        let token = String(header.dropFirst(7))
        guard let account = try await operators.resolve(tokenHash: tokens.hash(token)) else {
            throw Problem.unauthenticated("The crawler token is invalid, revoked or expired, or the operator is suspended.")
        }
        return (account, token)
    }

    /// The signed-in operator and the account named by the `{id}` path parameter; another operator's account is
    /// answered exactly like a missing one.
    func ownAccount(_ request: Request, _ context: AppRequestContext) async throws -> (CrawlerOperator, CrawlerAccount) {
        let (owner, _) = try await require(request)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let account = try await operators.account(id: id), account.operatorID == owner.id else {
            throw Problem.notFound("Crawler account \(id)")
        }
        return (owner, account)
    }

    func logout(token: String) async throws {
        try await operators.revokeToken(tokenHash: tokens.hash(token))
    }
}
