import Foundation
import Logging
import ServiceLifecycle
import TollgateCore

/// Ships spooled charges to the control plane in order, in batches, until each is acknowledged; a failed or lost
/// batch is re-sent as is (same sequence numbers), which the control plane answers without posting twice.
public struct UsageShipper: Service {
    public static let batchLimit = 500

    let session: ControlPlaneSession
    let spool: UsageSpool
    let allowances: AllowanceBook
    let idleInterval: Duration
    let logger: Logger

    public init(
        session: ControlPlaneSession, spool: UsageSpool, allowances: AllowanceBook, idleInterval: Duration = .milliseconds(200),
        logger: Logger
    ) {
        self.session = session
        self.spool = spool
        self.allowances = allowances
        self.idleInterval = idleInterval
        self.logger = logger
    }

    public func run() async throws {
        var backoff = Backoff()
        while !Task.isCancelled {
            // On shutdown, keep shipping until the spool is empty or the control plane stops answering.
            let draining = Task.isShuttingDownGracefully
            if draining && spool.unacknowledgedCount == 0 { return }
            let batch = spool.unacknowledged(limit: Self.batchLimit)
            guard !batch.isEmpty else {
                try? await Task.sleep(for: idleInterval)
                continue
            }
            do {
                try await ship(batch)
                backoff.succeeded()
            } catch {
                if draining { return }
                let delay = backoff.failed()
                logger.warning("usage upload failed; the charges stay in the spool", metadata: [
                    "error": "\(error)", "pending": "\(spool.unacknowledgedCount)", "retry_in": "\(delay)",
                ])
                try? await Task.sleep(for: delay)
            }
        }
    }

    func ship(_ batch: [UsageRecord]) async throws {
        let client = try await session.authorizedClient()
        let result = try await client.postUsage(UsageBatch(events: batch))
        let answered = Set(result.results.map(\.sequence))
        guard batch.allSatisfy({ answered.contains($0.sequence) }) else {
            throw ControlPlaneError.malformedAnswer("the usage answer does not cover every event of the batch")
        }
        try spool.acknowledge(through: batch[batch.count - 1].sequence)
        for record in batch { allowances.acknowledged(record.crawlerAccountID, record.price) }
        allowances.update(result.allowances)
        // A retried request another replica already charged is refused as a duplicate purchase (the ledger's
        // `duplicate_request`): expected, not alarming.
        let fresh = result.results.filter { $0.status == .rejected && !$0.duplicate }
        let retries = fresh.filter { $0.reason == "duplicate_request" }
        if !retries.isEmpty {
            logger.info("control plane charged retried requests once", metadata: ["count": "\(retries.count)"])
        }
        let rejected = fresh.filter { $0.reason != "duplicate_request" }
        if !rejected.isEmpty {
            logger.warning("control plane rejected charges", metadata: [
                "count": "\(rejected.count)", "reasons": "\(Set(rejected.compactMap(\.reason)).sorted())",
            ])
        }
    }
}
