import Foundation
import Logging
import ServiceLifecycle

/// Runs in the background of `tollgate serve`: every hour it deletes traffic rollups older than the retention, and
/// the (agent, sequence) claims of batches old enough that ingest would refuse them anyway. Replicas may all run it;
/// the deletes are idempotent.
struct MetricsRetention: Service {
    let metrics: any MetricsRepository
    /// How long per-minute rollups are kept.
    let retention: Duration
    let interval: Duration
    let logger: Logger

    /// A claim must outlive every batch that ingest still accepts, or a re-sent batch would count twice.
    static let claimLifetime: TimeInterval = MetricsIngestService.maxAge + 86_400

    func pass(now: Date = Date()) async throws -> MetricsPurge {
        let purge = try await metrics.deleteExpired(
            rollupsBefore: now.addingTimeInterval(-Double(retention.components.seconds)),
            claimsBefore: now.addingTimeInterval(-Self.claimLifetime))
        if purge != MetricsPurge() {
            logger.info("expired traffic rollups deleted", metadata: [
                "counter_rows": "\(purge.counterRows)", "latency_rows": "\(purge.latencyRows)", "batch_claims": "\(purge.batchClaims)",
            ])
        }
        return purge
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // The first pass a minute after start (migrations are done by then), so a server restarted more often
            // than `interval` still runs it; then every `interval`.
            var delay = min(interval, .seconds(60))
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: delay)
                    delay = interval
                    _ = try await pass()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("metrics retention pass failed; trying again next pass", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
