import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import TollgateServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the control plane (migrates the database first).")

    @OptionGroup var common: CommonOptions

    @Option(help: "host:port to listen on (env TOLLGATE_LISTEN, default 127.0.0.1:8080).")
    var listen: String?

    @Option(help: "URL people reach this server at (env TOLLGATE_PUBLIC_URL).")
    var publicURL: String?

    func run() async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        try await readable {
            let configuration = try ServerConfiguration.load(
                environment: common.environment(extra: ["TOLLGATE_LISTEN": listen, "TOLLGATE_PUBLIC_URL": publicURL]))
            let logger = makeLogger("tollgate", level: configuration.logLevel)
            let started = ContinuousClock.now
            let database = try await CommandDatabase.open(configuration, logger: logger)
            defer { database.embedded?.stop() }
            if database.embedded != nil {
                print("Embedded PostgreSQL running under \(configuration.dataDirectory)")
            }
            let dependencies = try await AppDependencies(
                configuration: configuration, postgres: database.postgres, registry: registry, logger: logger)
            let publicURL = configuration.publicURL
            let app = try await buildApplication(dependencies, logger: logger) { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                let elapsed = ContinuousClock.now - started
                let line = "Tollgate listening on \(address) — open \(publicURL) (ready in \(elapsed.formatted(.units(allowed: [.milliseconds]))))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
            try await app.runService()
        }
    }
}
