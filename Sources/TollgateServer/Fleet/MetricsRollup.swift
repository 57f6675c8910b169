import Foundation
import TollgateCore

/// One metrics batch, validated and summed by key, for one tenant minute: what `MetricsRepository` adds to the
/// rollups (a batch may list a key twice; the rows it adds to may not be written twice in one statement).
struct MetricsRollup: Sendable {
    struct CounterKey: Sendable, Hashable {
        let siteID: UUID?
        let action: String
        let reason: String
        let crawler: String?
        let statusClass: String
    }

    struct LatencyKey: Sendable, Hashable {
        let siteID: UUID?
        let action: String
    }

    struct Histogram: Sendable, Equatable {
        /// `MetricsLatency.bucketBounds.count + 1` bucket counts.
        var counts: [Int64]
        var sumMilliseconds: Double
    }

    static let bucketCount = MetricsLatency.bucketBounds.count + 1

    let tenantID: UUID
    let agentID: UUID
    let sequence: Int64
    /// `window_start` truncated to its minute.
    let minute: Date
    var counters: [CounterKey: Int64] = [:]
    var latencies: [LatencyKey: Histogram] = [:]

    /// The sites the batch names, which the repository checks against the tenant's.
    var siteIDs: [UUID] {
        Array(Set(counters.keys.compactMap(\.siteID) + latencies.keys.compactMap(\.siteID)))
    }
}
