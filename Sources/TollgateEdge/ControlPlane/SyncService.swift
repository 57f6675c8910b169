import Foundation
import Logging
import ServiceLifecycle
import TollgateCore

/// Keeps the agent's state current with long polls (`GET /v1/agent/sync?since=…&wait=…`), saving every change as
/// the last-known state so a restarted agent serves at once, and resumes from its version, even while the control
/// plane is unreachable.
public struct SyncService: Service {
    let session: ControlPlaneSession
    let store: StateStore
    let allowances: AllowanceBook
    let stateFile: URL
    let wait: Int
    let logger: Logger

    public init(
        session: ControlPlaneSession, store: StateStore, allowances: AllowanceBook, stateFile: URL, wait: Int = 30,
        logger: Logger
    ) {
        self.session = session
        self.store = store
        self.allowances = allowances
        self.stateFile = stateFile
        self.wait = wait
        self.logger = logger
    }

    public func run() async throws {
        var backoff = Backoff()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let client = try await session.authorizedClient()
                let since = store.source.version
                let bundle = try await cancelWhenGracefulShutdown {
                    try await client.sync(since: since, wait: wait)
                }
                let changed = !bundle.isEmpty || bundle.version != since
                store.apply(bundle)
                allowances.update(bundle.allowances)
                if changed {
                    try StateFile.write(store.source, to: stateFile)
                    logger.info("state synced", metadata: [
                        "version": "\(bundle.version)", "full": "\(bundle.full)", "sites": "\(bundle.sites.count)",
                        "crawlers": "\(bundle.crawlers.count)", "blocklist": "\(bundle.blocklist.count)",
                    ])
                }
                backoff.succeeded()
            } catch {
                if error is CancellationError || Task.isShuttingDownGracefully { return }
                let delay = backoff.failed()
                let level: Logger.Level = if case ControlPlaneError.notAuthorized = error { .error } else { .warning }
                logger.log(level: level, "sync failed; serving the last-known state", metadata: [
                    "error": "\(error)", "retry_in": "\(delay)",
                ])
                try? await Task.sleep(for: delay)
            }
            store.pruneExpired()
        }
    }
}
