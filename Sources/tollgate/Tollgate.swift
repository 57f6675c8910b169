import ArgumentParser

@main
struct Tollgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Tollgate control plane: decide, per AI crawler, whether to allow, charge, challenge, slow down or block it.",
        subcommands: [Serve.self, Migrate.self, Admin.self, Audit.self]
    )
}
