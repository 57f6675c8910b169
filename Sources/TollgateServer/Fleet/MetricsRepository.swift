import Foundation

/// Per-minute traffic rollups of a tenant (`metrics_minute`, `metrics_latency_minute`).
protocol MetricsRepository: Sendable {
    /// Adds the rollup to the tenant's minute, once per (agent, sequence): false when that batch was recorded before
    /// (nothing is added again). Counts for sites the tenant does not own are dropped.
    func record(_ rollup: MetricsRollup) async throws -> Bool
    /// The tenant's rollups within [from, to), summed per `grouping` bucket; at most `limit` rows of each kind.
    func traffic(tenantID: UUID, from: Date, to: Date, siteID: UUID?, grouping: TrafficGrouping, limit: Int) async throws -> TrafficReport
    /// Deletes every tenant's rollups of minutes before `rollupsBefore` and batch claims received before
    /// `claimsBefore`.
    func deleteExpired(rollupsBefore: Date, claimsBefore: Date) async throws -> MetricsPurge
}

/// What one retention pass deleted.
struct MetricsPurge: Sendable, Equatable {
    var counterRows = 0
    var latencyRows = 0
    var batchClaims = 0
}
