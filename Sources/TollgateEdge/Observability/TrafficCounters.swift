import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import TollgateCore

/// Counts every finished request by site × action × reason × crawler × status class, with a latency histogram per
/// site × action. Keeps two copies: running totals for `/metrics`, and the counts since the last push to the
/// control plane (`drain`), which resets them as CrowdSec's usage metrics do.
public final class TrafficCounters: DecisionObserver, Sendable {
    struct CounterKey: Hashable {
        let siteID: UUID?
        let action: String
        let reason: String
        let crawler: String?
        let statusClass: String
    }

    struct LatencyKey: Hashable {
        let siteID: UUID?
        let action: String
    }

    struct Histogram {
        var counts = [Int64](repeating: 0, count: MetricsLatency.bucketBounds.count + 1)
        var sumMilliseconds = 0.0

        mutating func record(_ milliseconds: Double) {
            let bucket = MetricsLatency.bucketBounds.firstIndex { milliseconds <= $0 } ?? MetricsLatency.bucketBounds.count
            counts[bucket] += 1
            sumMilliseconds += milliseconds
        }
    }

    struct Counts {
        var counters: [CounterKey: Int64] = [:]
        var latencies: [LatencyKey: Histogram] = [:]
    }

    private struct Both {
        var total = Counts()
        var sincePush = Counts()
    }

    private let counts = NIOLockedValueBox(Both())

    public init() {}

    public func observe(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        let key = CounterKey(
            siteID: record.siteID, action: record.action, reason: record.reason, crawler: record.crawler,
            statusClass: "\(status.code / 100)xx")
        let latencyKey = LatencyKey(siteID: record.siteID, action: record.action)
        let milliseconds = seconds * 1000
        counts.withLockedValue { both in
            both.total.counters[key, default: 0] += 1
            both.sincePush.counters[key, default: 0] += 1
            both.total.latencies[latencyKey, default: Histogram()].record(milliseconds)
            both.sincePush.latencies[latencyKey, default: Histogram()].record(milliseconds)
        }
    }

    /// The counts since the previous drain, as a metrics batch body; nil when nothing happened.
    public func drain(sequence: UInt64, windowStart: Date) -> MetricsBatch? {
        let since = counts.withLockedValue { both -> Counts in
            defer { both.sincePush = Counts() }
            return both.sincePush
        }
        guard !since.counters.isEmpty else { return nil }
        return MetricsBatch(
            sequence: sequence, windowStart: windowStart,
            counters: since.counters.map {
                MetricsCounter(
                    siteID: $0.key.siteID, action: $0.key.action, reason: $0.key.reason, crawler: $0.key.crawler,
                    statusClass: $0.key.statusClass, count: $0.value)
            },
            latencies: since.latencies.map {
                MetricsLatency(siteID: $0.key.siteID, action: $0.key.action, counts: $0.value.counts, sumMilliseconds: $0.value.sumMilliseconds)
            })
    }

    /// Puts counts back after a failed push, so the next push carries them.
    public func restore(_ batch: MetricsBatch) {
        counts.withLockedValue { both in
            for counter in batch.counters {
                let key = CounterKey(
                    siteID: counter.siteID, action: counter.action, reason: counter.reason, crawler: counter.crawler,
                    statusClass: counter.statusClass)
                both.sincePush.counters[key, default: 0] += counter.count
            }
            for latency in batch.latencies {
                let key = LatencyKey(siteID: latency.siteID, action: latency.action)
                var histogram = both.sincePush.latencies[key] ?? Histogram()
                for (index, count) in latency.counts.enumerated() where index < histogram.counts.count {
                    histogram.counts[index] += count
                }
                histogram.sumMilliseconds += latency.sumMilliseconds
                both.sincePush.latencies[key] = histogram
            }
        }
    }

    var totals: Counts { counts.withLockedValue { $0.total } }
}
