import Foundation
import TollgateCore

/// `GET /v1/metrics/traffic`: what the tenant's edge agents reported within [from, to), summed per bucket.
struct TrafficReport: Sendable, Equatable, Encodable {
    let from: Date
    let to: Date
    let grouping: TrafficGrouping
    let siteID: UUID?
    let counters: [TrafficCounter]
    let latencies: [TrafficLatency]
    /// More rows matched than one answer holds; narrow the window or group by hour.
    let truncated: Bool

    enum CodingKeys: String, CodingKey {
        case from, to, counters, latencies, truncated
        case grouping = "group_by", siteID = "site_id", bucketBounds = "latency_bucket_bounds_ms"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(grouping.rawValue, forKey: .grouping)
        try container.encode(siteID, forKey: .siteID)
        try container.encode(MetricsLatency.bucketBounds, forKey: .bucketBounds)
        try container.encode(counters, forKey: .counters)
        try container.encode(latencies, forKey: .latencies)
        try container.encode(truncated, forKey: .truncated)
    }
}
