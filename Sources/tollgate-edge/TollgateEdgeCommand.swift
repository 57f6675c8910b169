import ArgumentParser
import Foundation
import Logging
import TollgateEdge

@main
struct TollgateEdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-edge",
        abstract: "The Tollgate edge agent: decides every request in front of a site and enforces pay-per-crawl.",
        discussion: """
            Settings come from --config (JSON, snake_case keys) and TOLLGATE_EDGE_* environment variables, which \
            win. See docs/edge-agent.md.
            """)

    @Option(name: .long, help: "A JSON configuration file.")
    var config: String?

    @Flag(name: .long, help: "Check the configuration (and the policy file in standalone mode), then exit.")
    var check = false

    func run() async throws {
        let configuration: EdgeConfiguration
        do {
            configuration = try EdgeConfiguration.load(
                file: config.map { URL(fileURLWithPath: $0) }, environment: ProcessInfo.processInfo.environment)
            if check, let policy = configuration.policyFile { _ = try StateFile.read(policy) }
        } catch let error as EdgeConfigurationError {
            throw ValidationError("configuration: \(error)")
        }
        if check {
            print("configuration OK (\(configuration.mode.rawValue) mode, \(configuration.isStandalone ? "standalone" : "control plane \(configuration.controlPlaneURL?.absoluteString ?? "")"))")
            return
        }
        let level = configuration.logLevel
        let format = configuration.logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tollgate.edge")
        do {
            try await EdgeAgent(configuration: configuration, logger: logger).run()
        } catch let error as EdgeConfigurationError {
            throw ValidationError("configuration: \(error)")
        }
    }
}
