import ArgumentParser

@main
struct TollgateEdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tollgate-edge", abstract: "The Tollgate edge agent.")
    func run() async throws {}
}
