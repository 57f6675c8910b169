import PostgresNIO

/// The internal entry point for paid usage from the edge: posts each batch exactly once with the configured
/// platform fee. PostgreSQL may abort a transaction under contention (deadlock, serialization failure); the whole
/// batch is then retried, which is safe because every event is keyed by its id.
public struct ChargePostingService: Sendable {
    let ledger: any LedgerRepository
    let platformFeeBasisPoints: Int
    static let maximumAttempts = 5

    public init(ledger: any LedgerRepository, platformFeeBasisPoints: Int) {
        self.ledger = ledger
        self.platformFeeBasisPoints = platformFeeBasisPoints
    }

    public func post(_ events: [UsageEvent]) async throws -> [ChargeOutcome] {
        var attempt = 1
        while true {
            do {
                return try await ledger.postCharges(events, platformFeeBasisPoints: platformFeeBasisPoints)
            } catch let error as PSQLError where ["40P01", "40001"].contains(error.sqlState) && attempt < Self.maximumAttempts {
                try await Task.sleep(for: .milliseconds(5 * attempt))
                attempt += 1
            }
        }
    }
}
