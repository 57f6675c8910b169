import ArgumentParser
import Foundation
import Logging
import Logging
import TollgateServer

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Platform-operator administration.", subcommands: [CreateOperator.self])

    struct CreateOperator: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-operator",
            abstract: "Create a platform-operator account (reads the password from stdin or TOLLGATE_OPERATOR_PASSWORD).")

        @OptionGroup var common: CommonOptions

        @Option(help: "The operator's email address.")
        var email: String

        func run() async throws {
            try await readable {
                let configuration = try ServerConfiguration.load(environment: common.environment())
                let logger = makeLogger("tollgate.admin", level: .warning)
                var password = ProcessInfo.processInfo.environment["TOLLGATE_OPERATOR_PASSWORD"] ?? ""
                if password.isEmpty {
                    FileHandle.standardError.write(Data("Password for \(email): ".utf8))
                    password = readLine(strippingNewline: true) ?? ""
                }
                let database = try await CommandDatabase.open(configuration, logger: logger)
                let email = self.email
                let created = try await database.withClient(logger: logger) { [password] client in
                    try await OperatorAccounts.create(email: email, password: password, configuration: configuration, client: client, logger: logger)
                }
                print("Created platform operator \(created.email) (\(created.id.uuidString.lowercased())).")
            }
        }
    }
}
