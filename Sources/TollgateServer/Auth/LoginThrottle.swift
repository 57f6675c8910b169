import Foundation
import Logging
import PostgresNIO

/// How many failed logins are tolerated per account and per client address within a window.
public struct LoginThrottlePolicy: Sendable {
    public var maxFailuresPerAccount = 5
    public var maxFailuresPerAddress = 30
    public var window: Duration = .seconds(15 * 60)
    public init() {}
}

/// Failed-login counters in PostgreSQL, so every replica enforces the same limits and a restart forgets nothing.
public struct LoginThrottle: Sendable {
    let database: Database
    let policy: LoginThrottlePolicy

    public init(database: Database, policy: LoginThrottlePolicy) {
        self.database = database
        self.policy = policy
    }

    static func accountKey(_ email: String) -> String { "account:" + email.lowercased() }
    static func addressKey(_ address: String) -> String { "address:" + address }

    /// Throws 429 with Retry-After when either counter is exhausted.
    public func check(email: String, address: String) async throws {
        let limits = [(Self.accountKey(email), policy.maxFailuresPerAccount), (Self.addressKey(address), policy.maxFailuresPerAddress)]
        let windowSeconds = Double(policy.window.components.seconds)
        let retryAfter: Int? = try await database.withPlatform { connection in
            var longest: Int?
            for (key, limit) in limits {
                let rows = try await connection.query(
                    """
                    SELECT failures, extract(epoch FROM window_started_at + \(windowSeconds) * interval '1 second' - now())::float8
                    FROM login_throttle WHERE key = \(key)
                    """, logger: database.logger)
                for try await (failures, remaining) in rows.decode((Int, Double).self) where failures >= limit && remaining > 0 {
                    longest = max(longest ?? 0, Int(remaining.rounded(.up)))
                }
            }
            return longest
        }
        if let retryAfter {
            throw Problem.tooManyRequests(
                retryAfterSeconds: retryAfter,
                "Too many failed sign-in attempts; try again in \(retryAfter) seconds or reset your password.")
        }
    }

    public func recordFailure(email: String, address: String) async throws {
        let windowSeconds = Double(policy.window.components.seconds)
        try await database.withPlatform { connection in
            for key in [Self.accountKey(email), Self.addressKey(address)] {
                try await connection.query(
                    """
                    INSERT INTO login_throttle (key, failures, window_started_at) VALUES (\(key), 1, now())
                    ON CONFLICT (key) DO UPDATE SET
                        failures = CASE WHEN login_throttle.window_started_at + \(windowSeconds) * interval '1 second' < now()
                                        THEN 1 ELSE login_throttle.failures + 1 END,
                        window_started_at = CASE WHEN login_throttle.window_started_at + \(windowSeconds) * interval '1 second' < now()
                                        THEN now() ELSE login_throttle.window_started_at END
                    """, logger: database.logger)
            }
        }
    }

    public func recordSuccess(email: String) async throws {
        try await database.withPlatform { connection in
            try await connection.query("DELETE FROM login_throttle WHERE key = \(Self.accountKey(email))", logger: database.logger)
        }
    }
}
