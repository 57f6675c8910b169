import Foundation
import Logging
import ServiceLifecycle

/// Runs in the background of `tollgate serve`: every `interval` it refreshes the key directories whose next
/// refresh (from Cache-Control, or a failure's backoff) is due, and clears verification whose keys expired.
/// Replicas share the work through leases on the rows, so each due directory is fetched once.
struct KeyDirectoryRefresher: Service {
    let registry: CrawlerRegistryService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let registry = registry
        let interval = interval
        let logger = logger
        await cancelWhenGracefulShutdown {
            // The first pass waits one interval, so migrations at start-up finish before it.
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                do {
                    let fetched = try await registry.refreshDue()
                    if fetched > 0 { logger.debug("key directories refreshed", metadata: ["fetched": "\(fetched)"]) }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("key directory refresh pass failed; trying again next pass", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
