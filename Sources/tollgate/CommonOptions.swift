import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import TollgateServer

/// Flags shared by every command; each overrides the environment variable of the same meaning.
struct CommonOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (env DATABASE_URL). Without it, the embedded PostgreSQL under the data directory is used.")
    var databaseURL: String?

    @Option(help: "Data directory (env TOLLGATE_DATA_DIR; default /var/lib/tollgate as root, ~/.local/share/tollgate otherwise).")
    var dataDir: String?

    func environment(extra: [String: String?] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        if let dataDir { environment["TOLLGATE_DATA_DIR"] = dataDir }
        for (key, value) in extra { if let value { environment[key] = value } }
        return environment
    }
}

/// A connected database for one-shot commands, with the embedded cluster started (and stopped) when needed.
struct CommandDatabase {
    let configuration: ServerConfiguration
    let postgres: PostgresClient.Configuration
    let embedded: EmbeddedPostgres?
    let lock: DataDirectoryLock?

    static func open(_ configuration: ServerConfiguration, logger: Logger) async throws -> CommandDatabase {
        if let url = configuration.databaseURL {
            return CommandDatabase(configuration: configuration, postgres: try DatabaseURL(url).configuration, embedded: nil, lock: nil)
        }
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        let embedded = EmbeddedPostgres(dataDirectory: configuration.dataDirectory, osUser: configuration.embeddedPostgresUser, logger: logger)
        return CommandDatabase(configuration: configuration, postgres: try await embedded.start(), embedded: embedded, lock: lock)
    }

    /// Runs `body` with a running client, then shuts everything down.
    func withClient<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        defer { embedded?.stop() }
        let client = PostgresClient(configuration: postgres, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

func makeLogger(_ label: String, level: Logger.Level = .info) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

/// Prints configuration errors as one readable line instead of a stack of type names.
func readable<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(2)
    } catch let error as PSQLError {
        // PSQLError's description is deliberately vague; the server's own message is what an operator needs.
        let message = error.serverInfo?[.message].map { "PostgreSQL says: \($0)" + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "") }
        FileHandle.standardError.write(Data("error: database: \(message ?? String(reflecting: error))\n".utf8))
        throw ExitCode(1)
    }
}
