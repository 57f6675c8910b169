import ArgumentParser
import Foundation
import Logging
import TollgateServer

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Audit-log tools.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit hash chains; exits 1 and names the first broken event if any chain is broken.")

        @OptionGroup var common: CommonOptions

        @Option(help: "Only this tenant (UUID).")
        var tenant: String?

        func run() async throws {
            let tenantID: UUID?
            if let tenant {
                guard let parsed = UUID(uuidString: tenant) else { throw ValidationError("--tenant must be a UUID") }
                tenantID = parsed
            } else {
                tenantID = nil
            }
            let broken = try await readable {
                let configuration = try ServerConfiguration.load(environment: common.environment())
                let logger = makeLogger("tollgate.audit", level: .warning)
                let database = try await CommandDatabase.open(configuration, logger: logger)
                let reports = try await database.withClient(logger: logger) { client in
                    try await AuditVerification.run(tenantID: tenantID, client: client, logger: logger)
                }
                var broken = 0
                for report in reports {
                    switch report.verdict {
                    case .intact(let events):
                        print("ok      tenant \(report.tenantID.uuidString.lowercased()): \(events) events, chain intact")
                    case .broken(let seq, let reason):
                        broken += 1
                        print("BROKEN  tenant \(report.tenantID.uuidString.lowercased()) at event \(seq): \(reason)")
                    }
                }
                print("\(reports.count) chain(s) checked, \(broken) broken.")
                return broken
            }
            if broken > 0 { throw ExitCode(1) }
        }
    }
}
