import ArgumentParser
import Logging
import TollgateServer

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending SQL migrations from migrations/ and exit.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await readable {
            let configuration = try ServerConfiguration.load(environment: common.environment())
            let logger = makeLogger("tollgate.migrate", level: configuration.logLevel)
            let migrator = try Migrator(directory: configuration.resources.migrations)
            let database = try await CommandDatabase.open(configuration, logger: logger)
            let applied = try await database.withClient(logger: logger) { client in
                try await migrator.migrate(client: client, logger: logger).map(\.name)
            }
            print(applied.isEmpty ? "Database is up to date (version \(migrator.migrations.last?.version ?? 0))." : "Applied: \(applied.joined(separator: ", "))")
        }
    }
}
