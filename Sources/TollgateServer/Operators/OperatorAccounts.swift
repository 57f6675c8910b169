import Logging
import PostgresNIO
import Prometheus

/// `tollgate admin create-operator`: validates and stores a platform-operator account.
public enum OperatorAccounts {
    public static func create(
        email rawEmail: String, password: String, configuration: ServerConfiguration, client: PostgresClient, logger: Logger
    ) async throws -> PlatformOperator {
        let email: String
        do {
            email = try Validation.email(rawEmail)
            try Validation.password(password)
        } catch let problem as Problem {
            throw ConfigurationError(problem.detail)
        }
        let database = Database(client: client, logger: logger, metrics: DatabaseMetrics(registry: PrometheusCollectorRegistry(), maxConnections: 1))
        try await database.checkRole()
        try await Migrator(directory: configuration.resources.migrations).migrate(client: client, logger: logger)
        let hash = try await PasswordHasher(parameters: configuration.argon2).hash(password)
        do {
            return try await PostgresOperatorRepository(database: database).create(email: email, passwordHash: hash)
        } catch TenantError.emailTaken {
            throw ConfigurationError("an operator with the email \(email) already exists")
        }
    }
}
