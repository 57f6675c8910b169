import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TollgateCore

/// Turns a bearer API key or a session cookie into a `Principal`, with a short-lived cache in front of PostgreSQL.
public struct Authenticator: Sendable {
    public static let sessionCookie = "tollgate_session"

    let sessions: any SessionRepository
    let apiKeys: any APIKeyRepository
    let hasher: TokenHasher
    let cache: PrincipalCache
    let logger: Logger

    init(sessions: any SessionRepository, apiKeys: any APIKeyRepository, hasher: TokenHasher, cacheLifetime: Duration, logger: Logger) {
        self.sessions = sessions
        self.apiKeys = apiKeys
        self.hasher = hasher
        self.cache = PrincipalCache(lifetime: cacheLifetime)
        self.logger = logger
    }

    /// nil when the request carries no credentials; throws 401 when it carries bad ones.
    func principal(for request: Request) async throws -> Principal? {
        if let authorization = request.headers[.authorization] {
            guard authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
                throw Problem.unauthenticated("The Authorization header must be 'Bearer <API key>'.")
            }
            let key = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            guard let principal = try await apiKeyPrincipal(key) else {
                throw Problem.unauthenticated("The API key is invalid, revoked or expired.")
            }
            return principal
        }
        if let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty {
            return try await sessionPrincipal(token)
        }
        return nil
    }

    func sessionPrincipal(_ token: String) async throws -> Principal? {
        let hash = hasher.hash(token)
        if let cached = cache.principal(for: hash) { return cached }
        guard let principal = try await sessions.principal(sessionTokenHash: hash) else { return nil }
        cache.store(principal, for: hash)
        return principal
    }

    func apiKeyPrincipal(_ key: String) async throws -> Principal? {
        guard let prefix = Tokens.apiKeyPrefix(of: key) else { return nil }
        let hash = hasher.hash(key)
        if let cached = cache.principal(for: hash) { return cached }
        guard let candidate = try await apiKeys.candidate(prefix: prefix), ConstantTime.equals(candidate.secretHash, hash) else {
            return nil
        }
        cache.store(candidate.principal, for: hash)
        if case .apiKey(let id, _, _) = candidate.principal.credential {
            // Best effort and at most once a minute per key; never delays or fails the request.
            let apiKeys = self.apiKeys
            let logger = self.logger
            Task {
                do { try await apiKeys.markUsed(id: id) } catch { logger.warning("could not record API key use: \(error)") }
            }
        }
        return candidate.principal
    }

    func invalidate(tenantID: UUID) { cache.invalidate(tenantID: tenantID) }
}
