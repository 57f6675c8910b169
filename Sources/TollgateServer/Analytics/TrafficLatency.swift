import Foundation
import TollgateCore

/// The latency histogram of one time bucket, site and action: counts per `MetricsLatency.bucketBounds` bucket (and
/// one above the last bound), and the sum of the latencies in milliseconds.
struct TrafficLatency: Sendable, Equatable, Encodable {
    let time: Date
    let siteID: UUID?
    let action: String
    let counts: [Int64]
    let sumMilliseconds: Double

    enum CodingKeys: String, CodingKey {
        case time, action, counts
        case siteID = "site_id", sumMilliseconds = "sum_ms"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(siteID, forKey: .siteID)
        try container.encode(action, forKey: .action)
        try container.encode(counts, forKey: .counts)
        try container.encode(sumMilliseconds, forKey: .sumMilliseconds)
    }
}
