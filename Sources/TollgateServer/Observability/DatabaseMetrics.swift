import Prometheus

/// Pool-level numbers PostgresNIO does not export: transactions in flight (holding or waiting for a connection),
/// their duration, failures, and the configured pool size.
public struct DatabaseMetrics: Sendable {
    private let inFlight: Gauge
    private let failures: Counter
    private let duration: DurationHistogram

    public init(registry: PrometheusCollectorRegistry, maxConnections: Int) {
        inFlight = registry.makeGauge(descriptor: .init(
            namespace: "tollgate", subsystem: "db", metricName: "transactions_in_flight", unitName: "",
            helpText: "Database transactions holding or waiting for a pooled connection"))
        failures = registry.makeCounter(descriptor: .init(
            namespace: "tollgate", subsystem: "db", metricName: "transaction_failures", unitName: "total",
            helpText: "Database transactions that ended in an error"))
        duration = registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "tollgate", subsystem: "db", metricName: "transaction_duration", unitName: "seconds",
                helpText: "Time from asking the pool for a connection to commit or rollback"),
            buckets: [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)])
        registry.makeGauge(descriptor: .init(
            namespace: "tollgate", subsystem: "db", metricName: "pool_max_connections", unitName: "",
            helpText: "Configured maximum size of the PostgreSQL connection pool")).set(Double(maxConnections))
    }

    func began() { inFlight.increment(by: 1) }
    func failed() { failures.increment() }
    func ended(after elapsed: Duration) {
        inFlight.decrement(by: 1)
        duration.record(elapsed)
    }
}
