import Foundation
import TollgateCore

/// Renders `/metrics` in the Prometheus text format (version 0.0.4).
public struct PrometheusExposition: Sendable {
    let counters: TrafficCounters
    let spool: UsageSpool
    let allowances: AllowanceBook
    let store: StateStore
    let accessLog: AccessLog?

    public init(
        counters: TrafficCounters, spool: UsageSpool, allowances: AllowanceBook, store: StateStore,
        accessLog: AccessLog? = nil
    ) {
        self.counters = counters
        self.spool = spool
        self.allowances = allowances
        self.store = store
        self.accessLog = accessLog
    }

    public func render(now: Date = Date()) -> String {
        var out = ""
        let totals = counters.totals
        out += "# HELP tollgate_edge_requests_total Requests decided, by site, action, reason, crawler and status class.\n"
        out += "# TYPE tollgate_edge_requests_total counter\n"
        for (key, count) in totals.counters.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            let labels = Self.labels([
                ("site", key.siteID?.uuidString.lowercased() ?? ""), ("action", key.action), ("reason", key.reason),
                ("crawler", key.crawler ?? ""), ("status_class", key.statusClass),
            ])
            out += "tollgate_edge_requests_total\(labels) \(count)\n"
        }
        out += "# HELP tollgate_edge_request_duration_seconds Time from request head to response head.\n"
        out += "# TYPE tollgate_edge_request_duration_seconds histogram\n"
        for (key, histogram) in totals.latencies.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            let site = key.siteID?.uuidString.lowercased() ?? ""
            var cumulative: Int64 = 0
            for (index, bound) in MetricsLatency.bucketBounds.enumerated() {
                cumulative += histogram.counts[index]
                let labels = Self.labels([("site", site), ("action", key.action), ("le", "\(bound / 1000)")])
                out += "tollgate_edge_request_duration_seconds_bucket\(labels) \(cumulative)\n"
            }
            cumulative += histogram.counts[MetricsLatency.bucketBounds.count]
            out += "tollgate_edge_request_duration_seconds_bucket\(Self.labels([("site", site), ("action", key.action), ("le", "+Inf")])) \(cumulative)\n"
            out += "tollgate_edge_request_duration_seconds_sum\(Self.labels([("site", site), ("action", key.action)])) \(histogram.sumMilliseconds / 1000)\n"
            out += "tollgate_edge_request_duration_seconds_count\(Self.labels([("site", site), ("action", key.action)])) \(cumulative)\n"
        }
        out += "# HELP tollgate_edge_usage_spool_unacknowledged Charges on disk not yet acknowledged by the control plane.\n"
        out += "# TYPE tollgate_edge_usage_spool_unacknowledged gauge\n"
        out += "tollgate_edge_usage_spool_unacknowledged \(spool.unacknowledgedCount)\n"
        out += "# HELP tollgate_edge_usage_acknowledged_sequence Highest charge sequence the control plane acknowledged.\n"
        out += "# TYPE tollgate_edge_usage_acknowledged_sequence gauge\n"
        out += "tollgate_edge_usage_acknowledged_sequence \(spool.acknowledgedSequence)\n"
        out += "# HELP tollgate_edge_allowance_available_micros Allowance left per crawler account, in micros.\n"
        out += "# TYPE tollgate_edge_allowance_available_micros gauge\n"
        for entry in allowances.snapshot.sorted(by: { $0.account.uuidString < $1.account.uuidString }) {
            let labels = Self.labels([
                ("account", entry.account.uuidString.lowercased()), ("currency", entry.available.currency.code),
                ("status", entry.status.rawValue),
            ])
            out += "tollgate_edge_allowance_available_micros\(labels) \(entry.available.micros)\n"
        }
        out += "# HELP tollgate_edge_state_ready Whether the agent has policy state to decide with.\n"
        out += "# TYPE tollgate_edge_state_ready gauge\n"
        out += "tollgate_edge_state_ready \(store.isReady ? 1 : 0)\n"
        if let syncedAt = store.syncedAt {
            out += "# HELP tollgate_edge_sync_age_seconds Seconds since the control plane last answered a sync.\n"
            out += "# TYPE tollgate_edge_sync_age_seconds gauge\n"
            out += "tollgate_edge_sync_age_seconds \(max(0, now.timeIntervalSince(syncedAt)))\n"
        }
        if let accessLog {
            out += "# HELP tollgate_edge_access_log_dropped_total Access log lines dropped because the output did not keep up.\n"
            out += "# TYPE tollgate_edge_access_log_dropped_total counter\n"
            out += "tollgate_edge_access_log_dropped_total \(accessLog.droppedLines)\n"
        }
        return out
    }

    static func labels(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { name, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }.joined(separator: ",") + "}"
    }
}
