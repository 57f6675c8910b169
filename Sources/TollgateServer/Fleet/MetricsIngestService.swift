import Foundation
import TollgateCore

/// `POST /v1/agent/metrics`: validates a batch (sizes, non-negative counts, full histograms), sums it by key and adds
/// it to the tenant's minute of `window_start`. A batch whose (agent, sequence) was seen before is acknowledged again
/// without being counted twice.
struct MetricsIngestService: Sendable {
    let repository: any MetricsRepository

    static let maxCounters = 5_000
    static let maxLatencies = 5_000
    static let maxActionLength = 64
    static let maxReasonLength = 200
    static let maxCrawlerLength = 64
    static let statusClasses: Set<String> = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    /// How far back a batch may reach (an agent that was cut off for a while) and ahead (clock skew).
    static let maxAge: TimeInterval = 30 * 86_400
    static let maxSkew: TimeInterval = 300

    /// True when the batch had been received before.
    func ingest(_ batch: MetricsBatch, agent: Agent, now: Date = Date()) async throws -> Bool {
        var errors: [Problem.FieldError] = []
        guard batch.counters.count <= Self.maxCounters else {
            throw Problem.invalid(field: "counters", "must hold at most \(Self.maxCounters) counters; push more often")
        }
        guard batch.latencies.count <= Self.maxLatencies else {
            throw Problem.invalid(field: "latencies", "must hold at most \(Self.maxLatencies) histograms; push more often")
        }
        guard let sequence = Int64(exactly: batch.sequence) else {
            throw Problem.invalid(field: "sequence", "must be at most \(Int64.max)")
        }
        let windowStart = batch.windowStart.timeIntervalSince1970
        guard windowStart >= now.timeIntervalSince1970 - Self.maxAge, windowStart <= now.timeIntervalSince1970 + Self.maxSkew else {
            throw Problem.invalid(field: "window_start", "must be within the last 30 days (and not more than 5 minutes ahead of the server's clock)")
        }
        var rollup = MetricsRollup(
            tenantID: agent.tenantID, agentID: agent.id, sequence: sequence,
            minute: Date(timeIntervalSince1970: (windowStart / 60).rounded(.down) * 60))

        for (index, counter) in batch.counters.enumerated() {
            let field = "counters[\(index)]"
            let before = errors.count
            Self.label(counter.action, field: "\(field).action", max: Self.maxActionLength, into: &errors)
            Self.label(counter.reason, field: "\(field).reason", max: Self.maxReasonLength, into: &errors)
            if let crawler = counter.crawler { Self.label(crawler, field: "\(field).crawler", max: Self.maxCrawlerLength, into: &errors) }
            if !Self.statusClasses.contains(counter.statusClass) {
                errors.append(.init(field: "\(field).status_class", message: "must be one of 1xx, 2xx, 3xx, 4xx, 5xx"))
            }
            if counter.count < 0 { errors.append(.init(field: "\(field).count", message: "must not be negative")) }
            guard errors.count == before else { continue }
            let key = MetricsRollup.CounterKey(
                siteID: counter.siteID, action: counter.action, reason: counter.reason, crawler: counter.crawler, statusClass: counter.statusClass)
            let (sum, overflow) = (rollup.counters[key] ?? 0).addingReportingOverflow(counter.count)
            if overflow { errors.append(.init(field: "\(field).count", message: "adds up beyond \(Int64.max)")) }
            rollup.counters[key] = sum
        }

        for (index, latency) in batch.latencies.enumerated() {
            let field = "latencies[\(index)]"
            let before = errors.count
            Self.label(latency.action, field: "\(field).action", max: Self.maxActionLength, into: &errors)
            if latency.counts.count != MetricsRollup.bucketCount {
                errors.append(.init(field: "\(field).counts", message: "must hold \(MetricsRollup.bucketCount) bucket counts (one per bound and one above the last)"))
            } else if latency.counts.contains(where: { $0 < 0 }) {
                errors.append(.init(field: "\(field).counts", message: "must not hold negative counts"))
            }
            if !latency.sumMilliseconds.isFinite || latency.sumMilliseconds < 0 {
                errors.append(.init(field: "\(field).sum_ms", message: "must be a non-negative number"))
            }
            guard errors.count == before else { continue }
            let key = MetricsRollup.LatencyKey(siteID: latency.siteID, action: latency.action)
            var histogram = rollup.latencies[key] ?? MetricsRollup.Histogram(counts: Array(repeating: 0, count: MetricsRollup.bucketCount), sumMilliseconds: 0)
            for bucket in histogram.counts.indices {
                let (sum, overflow) = histogram.counts[bucket].addingReportingOverflow(latency.counts[bucket])
                if overflow { errors.append(.init(field: "\(field).counts[\(bucket)]", message: "adds up beyond \(Int64.max)")) }
                histogram.counts[bucket] = sum
            }
            histogram.sumMilliseconds += latency.sumMilliseconds
            rollup.latencies[key] = histogram
        }
        guard errors.isEmpty else { throw Problem.invalid(Array(errors.prefix(20))) }
        let recorded = try await repository.record(rollup)
        return !recorded
    }

    /// Names the edge chose (actions, reasons, product tokens): 1 to `max` characters, no control characters.
    private static func label(_ value: String, field: String, max: Int, into errors: inout [Problem.FieldError]) {
        if value.isEmpty || value.unicodeScalars.count > max || value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: field, message: "must be 1 to \(max) characters without control characters"))
        }
    }
}
