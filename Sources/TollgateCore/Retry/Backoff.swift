/// Exponential back-off: `first` after one failure, doubling with each further consecutive failure, never above
/// `ceiling`. Used as a running counter (`failed()` / `succeeded()`) by loops that retry in memory, and as a function
/// of a stored failure count by work that is retried from the database.
public struct Backoff: Sendable {
    public let first: Duration
    public let ceiling: Duration
    public private(set) var failures = 0

    public init(first: Duration = .seconds(1), ceiling: Duration = .seconds(30)) {
        self.first = first
        self.ceiling = ceiling
    }

    /// The wait after `failures` consecutive failures (none: no wait).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        return min(first * (1 << min(failures - 1, 32)), ceiling)
    }

    /// Counts a failure and says how long to wait before trying again.
    public mutating func failed() -> Duration {
        failures += 1
        return delay(afterFailures: failures)
    }

    public mutating func succeeded() {
        failures = 0
    }
}
