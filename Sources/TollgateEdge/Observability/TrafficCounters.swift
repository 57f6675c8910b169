import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import TollgateCore

/// Counts every finished request by site × action × reason × crawler × status class, with a latency histogram per
/// site × action. A request is counted once, into the counts since the last push to the control plane; `drain` hands
/// those over (and resets them, as CrowdSec's usage metrics do) and adds them to the running totals `/metrics` shows.
public final class TrafficCounters: DecisionObserver, Sendable {
    struct CounterKey: Hashable, Sendable {
        let siteID: UUID?
        let action: String
        let reason: String
        let crawler: String?
        let statusClass: String
    }

    struct LatencyKey: Hashable, Sendable {
        let siteID: UUID?
        let action: String
    }

    struct Histogram: Sendable {
        var counts = [Int64](repeating: 0, count: MetricsLatency.bucketBounds.count + 1)
        var sumMilliseconds = 0.0

        mutating func record(_ milliseconds: Double) {
            let bucket = MetricsLatency.bucketBounds.firstIndex { milliseconds <= $0 } ?? MetricsLatency.bucketBounds.count
            counts[bucket] += 1
            sumMilliseconds += milliseconds
        }

        mutating func add(_ other: Histogram, times sign: Int64) {
            for (index, count) in other.counts.enumerated() where index < counts.count { counts[index] += sign * count }
            sumMilliseconds += Double(sign) * other.sumMilliseconds
        }
    }

    struct Counts: Sendable {
        var counters: [CounterKey: Int64] = [:]
        var latencies: [LatencyKey: Histogram] = [:]
        /// The last request's keys and the run of requests in a row that had them, not yet in the tables: consecutive
        /// requests nearly always share their keys, and comparing keys is cheaper than hashing them.
        private var run: Run?

        private struct Run: Sendable {
            let key: CounterKey
            var count: Int64 = 0
            var histogram = Histogram()
        }

        mutating func record(_ key: CounterKey, milliseconds: Double) {
            if run?.key != key {
                settle()
                run = Run(key: key)
            }
            run!.count += 1
            run!.histogram.record(milliseconds)
        }

        /// Moves the current run into the tables; before they are read.
        mutating func settle() {
            guard let run else { return }
            self.run = nil
            counters[run.key, default: 0] += run.count
            latencies[LatencyKey(siteID: run.key.siteID, action: run.key.action), default: Histogram()]
                .add(run.histogram, times: 1)
        }

        /// Adds (sign 1) or takes away (sign -1) another set of counts, settled.
        mutating func add(_ other: Counts, times sign: Int64 = 1) {
            for (key, count) in other.counters { counters[key, default: 0] += sign * count }
            for (key, histogram) in other.latencies { latencies[key, default: Histogram()].add(histogram, times: sign) }
        }
    }

    private static let statusClasses = ["0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"]

    /// Counts since the last push, one set per recording thread.
    private let sincePush = PerThreadShards { Counts() }
    /// Everything drained so far.
    private let drained = NIOLockedValueBox(Counts())

    public init() {}

    public func observe(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        let key = CounterKey(
            siteID: record.siteID, action: record.action, reason: record.reason, crawler: record.crawler,
            statusClass: Self.statusClasses[Int(status.code / 100) % 10])
        sincePush.local.withLockedValue { $0.record(key, milliseconds: seconds * 1000) }
    }

    /// Takes every thread's counts since the last push into what was drained. `drained`'s lock also orders this with
    /// `totals` and `restore`, so `/metrics` never sees a count in both places or in neither (counters must not dip).
    private func takeSincePush() -> Counts {
        drained.withLockedValue { drained in
            var since = Counts()
            for shard in sincePush.all {
                since.add(shard.withLockedValue { counts in
                    counts.settle()
                    defer { counts = Counts() }
                    return counts
                })
            }
            drained.add(since)
            return since
        }
    }

    /// The counts since the previous drain, as a metrics batch body; nil when nothing happened.
    public func drain(sequence: UInt64, windowStart: Date) -> MetricsBatch? {
        let since = takeSincePush()
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
        var counts = Counts()
        for counter in batch.counters {
            let key = CounterKey(
                siteID: counter.siteID, action: counter.action, reason: counter.reason, crawler: counter.crawler,
                statusClass: counter.statusClass)
            counts.counters[key, default: 0] += counter.count
        }
        for latency in batch.latencies {
            let histogram = Histogram(counts: latency.counts, sumMilliseconds: latency.sumMilliseconds)
            counts.latencies[LatencyKey(siteID: latency.siteID, action: latency.action), default: Histogram()]
                .add(histogram, times: 1)
        }
        drained.withLockedValue { drained in
            sincePush.local.withLockedValue { $0.add(counts) }
            drained.add(counts, times: -1)
        }
    }

    /// Every request counted so far.
    var totals: Counts {
        drained.withLockedValue { drained in
            var totals = drained
            for shard in sincePush.all {
                totals.add(shard.withLockedValue { counts in
                    counts.settle()
                    return counts
                })
            }
            return totals
        }
    }
}
