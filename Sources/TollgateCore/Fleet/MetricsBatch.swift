import Foundation

/// `POST /v1/agent/metrics`: what the agent saw since its previous push (counters reset per push). Keyed by
/// (agent, sequence) so a re-sent batch is not counted twice; the control plane adds it to per-minute rollups.
public struct MetricsBatch: Sendable, Hashable, Codable {
    public var sequence: UInt64
    /// The minute the counts belong to (the agent pushes at least once per minute and splits at minute boundaries).
    public var windowStart: Date
    public var counters: [MetricsCounter]
    public var latencies: [MetricsLatency]

    public init(sequence: UInt64, windowStart: Date, counters: [MetricsCounter], latencies: [MetricsLatency]) {
        self.sequence = sequence
        self.windowStart = windowStart
        self.counters = counters
        self.latencies = latencies
    }

    private enum CodingKeys: String, CodingKey {
        case sequence, counters, latencies
        case windowStart = "window_start"
    }
}

/// Requests by site × action × reason × crawler × status class.
public struct MetricsCounter: Sendable, Hashable, Codable {
    /// nil for requests to a hostname no site claims.
    public var siteID: UUID?
    /// `pass`, `charge`, `payment_required`, `block`, `error`, …
    public var action: String
    /// The stage and rule that decided, e.g. `pricing.free_path`, `blocklist`, `identity.invalid_signature`.
    public var reason: String
    /// The product token of an identified crawler, nil for everyone else.
    public var crawler: String?
    /// `2xx`, `3xx`, `4xx`, `5xx`.
    public var statusClass: String
    public var count: Int64

    public init(siteID: UUID?, action: String, reason: String, crawler: String?, statusClass: String, count: Int64) {
        self.siteID = siteID
        self.action = action
        self.reason = reason
        self.crawler = crawler
        self.statusClass = statusClass
        self.count = count
    }

    private enum CodingKeys: String, CodingKey {
        case action, reason, crawler, count
        case siteID = "site_id"
        case statusClass = "status_class"
    }
}

/// A latency histogram (time to the response head, in milliseconds) per site and action.
public struct MetricsLatency: Sendable, Hashable, Codable {
    /// Upper bounds of the buckets in milliseconds; `counts` has one more entry, for everything above the last.
    public static let bucketBounds: [Double] = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    public var siteID: UUID?
    public var action: String
    public var counts: [Int64]
    public var sumMilliseconds: Double

    public init(siteID: UUID?, action: String, counts: [Int64], sumMilliseconds: Double) {
        self.siteID = siteID
        self.action = action
        self.counts = counts
        self.sumMilliseconds = sumMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case action, counts
        case siteID = "site_id"
        case sumMilliseconds = "sum_ms"
    }
}
