import Foundation
import Logging
import PostgresNIO
import TollgateCore

/// Traffic rollups in PostgreSQL (migration 0009). A batch is recorded in one tenant transaction: its (agent,
/// sequence) claim and its additions commit together, so a batch re-sent after a lost answer adds nothing.
struct PostgresMetricsRepository: MetricsRepository {
    let database: Database

    func record(_ rollup: MetricsRollup) async throws -> Bool {
        let logger = database.logger
        return try await database.withTenant(rollup.tenantID) { connection in
            let claimed = try await connection.query(
                """
                INSERT INTO agent_metric_batches (agent_id, sequence, tenant_id) VALUES (\(rollup.agentID), \(rollup.sequence), \(rollup.tenantID))
                ON CONFLICT (agent_id, sequence) DO NOTHING RETURNING sequence
                """, logger: logger
            ).decode(Int64.self).first { _ in true }
            guard claimed != nil else { return false }

            var owned: Set<UUID> = []
            for try await id in try await connection.query(
                "SELECT id FROM sites WHERE tenant_id = \(rollup.tenantID) AND id = ANY(\(rollup.siteIDs))", logger: logger
            ).decode(UUID.self) {
                owned.insert(id)
            }
            func kept(_ siteID: UUID?) -> Bool { siteID.map(owned.contains) ?? true }
            // Arrays cannot carry NULLs through PostgresNIO's encoders: '' stands for "no site" / "no crawler", which
            // validation rules out as a real value.
            let counters = Array(rollup.counters.filter { kept($0.key.siteID) })
            if !counters.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO metrics_minute (tenant_id, minute, site_id, action, reason, crawler, status_class, count)
                    SELECT \(rollup.tenantID), \(rollup.minute), nullif(u.site, '')::uuid, u.action, u.reason, nullif(u.crawler, ''), u.class, u.count
                    FROM unnest(\(counters.map { $0.key.siteID?.uuidString ?? "" })::text[], \(counters.map(\.key.action))::text[],
                                \(counters.map(\.key.reason))::text[], \(counters.map { $0.key.crawler ?? "" })::text[],
                                \(counters.map(\.key.statusClass))::text[], \(counters.map(\.value))::bigint[])
                         AS u(site, action, reason, crawler, class, count)
                    ON CONFLICT ON CONSTRAINT metrics_minute_key DO UPDATE SET count = metrics_minute.count + EXCLUDED.count
                    """, logger: logger)
            }
            let latencies = Array(rollup.latencies.filter { kept($0.key.siteID) })
            if !latencies.isEmpty {
                // The histograms travel flattened, bucketCount per row, and are sliced back apart by position.
                try await connection.query(
                    """
                    INSERT INTO metrics_latency_minute (tenant_id, minute, site_id, action, counts, sum_ms)
                    SELECT \(rollup.tenantID), \(rollup.minute), nullif(u.site, '')::uuid, u.action,
                           (\(latencies.flatMap(\.value.counts))::bigint[])[(u.i - 1) * \(MetricsRollup.bucketCount) + 1 : u.i * \(MetricsRollup.bucketCount)],
                           u.sum_ms
                    FROM unnest(\(latencies.map { $0.key.siteID?.uuidString ?? "" })::text[], \(latencies.map(\.key.action))::text[],
                                \(latencies.map(\.value.sumMilliseconds))::float8[]) WITH ORDINALITY AS u(site, action, sum_ms, i)
                    ON CONFLICT ON CONSTRAINT metrics_latency_minute_key DO UPDATE SET
                        counts = ARRAY(SELECT a + b FROM unnest(metrics_latency_minute.counts, EXCLUDED.counts) WITH ORDINALITY AS z(a, b, k) ORDER BY k),
                        sum_ms = metrics_latency_minute.sum_ms + EXCLUDED.sum_ms
                    """, logger: logger)
            }
            return true
        }
    }

    func traffic(tenantID: UUID, from: Date, to: Date, siteID: UUID?, grouping: TrafficGrouping, limit: Int) async throws -> TrafficReport {
        let logger = database.logger
        let unit = grouping.rawValue
        return try await database.withTenant(tenantID) { connection in
            var counters: [TrafficCounter] = []
            for try await (time, site, action, reason, crawler, statusClass, count) in try await connection.query(
                """
                SELECT date_trunc(\(unit), minute, 'UTC'), site_id, action, reason, crawler, status_class, sum(count)::bigint
                FROM metrics_minute
                WHERE tenant_id = \(tenantID) AND minute >= \(from) AND minute < \(to) AND (\(siteID)::uuid IS NULL OR site_id = \(siteID))
                GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6 LIMIT \(limit + 1)
                """, logger: logger
            ).decode((Date, UUID?, String, String, String?, String, Int64).self) {
                counters.append(
                    TrafficCounter(time: time, siteID: site, action: action, reason: reason, crawler: crawler, statusClass: statusClass, count: count))
            }
            // Element-wise sums of the histograms, one column per bucket.
            let buckets = (1...MetricsRollup.bucketCount).map { "sum(counts[\($0)])" }.joined(separator: ", ")
            var latencies: [TrafficLatency] = []
            for try await (time, site, action, counts, sum) in try await connection.query(
                """
                SELECT date_trunc(\(unit), minute, 'UTC'), site_id, action, ARRAY[\(unescaped: buckets)]::bigint[], sum(sum_ms)
                FROM metrics_latency_minute
                WHERE tenant_id = \(tenantID) AND minute >= \(from) AND minute < \(to) AND (\(siteID)::uuid IS NULL OR site_id = \(siteID))
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT \(limit + 1)
                """, logger: logger
            ).decode((Date, UUID?, String, [Int64], Double).self) {
                latencies.append(TrafficLatency(time: time, siteID: site, action: action, counts: counts, sumMilliseconds: sum))
            }
            let truncated = counters.count > limit || latencies.count > limit
            return TrafficReport(
                from: from, to: to, grouping: grouping, siteID: siteID, counters: Array(counters.prefix(limit)),
                latencies: Array(latencies.prefix(limit)), truncated: truncated)
        }
    }

    func deleteExpired(rollupsBefore: Date, claimsBefore: Date) async throws -> MetricsPurge {
        let logger = database.logger
        return try await database.withPlatform { connection in
            func deleted(_ query: PostgresQuery) async throws -> Int {
                try await connection.query(query, logger: logger).decode(Int.self).first { _ in true } ?? 0
            }
            return MetricsPurge(
                counterRows: try await deleted(
                    "WITH gone AS (DELETE FROM metrics_minute WHERE minute < \(rollupsBefore) RETURNING 1) SELECT count(*)::int FROM gone"),
                latencyRows: try await deleted(
                    "WITH gone AS (DELETE FROM metrics_latency_minute WHERE minute < \(rollupsBefore) RETURNING 1) SELECT count(*)::int FROM gone"),
                batchClaims: try await deleted(
                    "WITH gone AS (DELETE FROM agent_metric_batches WHERE received_at < \(claimsBefore) RETURNING 1) SELECT count(*)::int FROM gone"))
        }
    }
}
