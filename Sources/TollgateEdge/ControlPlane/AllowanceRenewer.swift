import Foundation
import Logging
import ServiceLifecycle
import TollgateCore

/// Asks for allowances: on demand for a paid request that has none (concurrent asks for one account share one
/// call), and ahead of need in the background, so paid requests rarely wait.
public actor AllowanceRenewer: AllowanceRenewing, Service {
    let session: ControlPlaneSession
    let allowances: AllowanceBook
    let logger: Logger
    private var inFlight: [UUID: Task<Void, any Error>] = [:]

    public init(session: ControlPlaneSession, allowances: AllowanceBook, logger: Logger) {
        self.session = session
        self.allowances = allowances
        self.logger = logger
    }

    public func renew(_ accounts: [UUID]) async throws {
        var waits: [Task<Void, any Error>] = []
        var missing: [UUID] = []
        for account in accounts {
            if let task = inFlight[account] { waits.append(task) } else { missing.append(account) }
        }
        if !missing.isEmpty {
            let wanted = missing
            let task = Task { [session, allowances] in
                let grant = try await session.authorizedClient().requestAllowances(AllowanceRequest(crawlerAccountIDs: wanted))
                allowances.update(grant.allowances)
            }
            for account in missing { inFlight[account] = task }
            waits.append(task)
            defer { for account in missing { inFlight[account] = nil } }
            try await task.value
        }
        for task in waits.dropLast(missing.isEmpty ? 0 : 1) { try await task.value }
    }

    public nonisolated func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            let due = allowances.accountsToRenew(now: Date(), margin: 30)
            guard !due.isEmpty else { continue }
            do {
                try await renew(due)
            } catch {
                logger.debug("allowance renewal failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
