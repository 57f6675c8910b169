import Foundation
import Logging
import ServiceLifecycle
import TollgateCore

/// Pushes traffic counters every few seconds, cut at minute boundaries so every batch belongs to one minute of the
/// control plane's rollups. A failed push puts its counts back for the next one.
public struct MetricsPusher: Service {
    let session: ControlPlaneSession
    let counters: TrafficCounters
    let interval: Duration
    let logger: Logger

    public init(session: ControlPlaneSession, counters: TrafficCounters, interval: Duration = .seconds(10), logger: Logger) {
        self.session = session
        self.counters = counters
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var windowStart = Self.minute(of: Date())
        while !Task.isCancelled {
            let now = Date()
            let nextMinute = windowStart.addingTimeInterval(60)
            let sleep = min(interval, .milliseconds(Int64(max(0, nextMinute.timeIntervalSince(now)) * 1000) + 1))
            try? await Task.sleep(for: sleep)
            let shuttingDown = Task.isShuttingDownGracefully || Task.isCancelled
            // Milliseconds since the epoch: unique across restarts, so the control plane's (agent, sequence) key
            // only ever drops a true re-send.
            let sequence = UInt64(Date().timeIntervalSince1970 * 1000)
            if let batch = counters.drain(sequence: sequence, windowStart: windowStart) {
                do {
                    try await session.authorizedClient().postMetrics(batch)
                } catch {
                    counters.restore(batch)
                    logger.debug("metrics push failed; kept for the next one", metadata: ["error": "\(error)"])
                }
            }
            windowStart = Self.minute(of: Date())
            if shuttingDown { return }
        }
    }

    static func minute(of date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }
}
