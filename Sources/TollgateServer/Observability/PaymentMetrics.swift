import Prometheus
import TollgateGateways

/// Where the time of a top-up goes: inside the vendor's API, and in total. The difference is our own overhead
/// (database writes, ledger posting, bookkeeping), which `bench/top-ups.sh` reports per top-up.
public struct PaymentMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func gatewayCall(_ kind: GatewayKind, _ operation: String, _ elapsed: Duration) {
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "tollgate", subsystem: "payments", metricName: "gateway_call_duration", unitName: "seconds",
                helpText: "Time spent inside one payment-gateway API call"),
            labels: [("gateway", kind.rawValue), ("operation", operation)], buckets: Self.buckets
        ).record(elapsed)
    }

    func topUp(_ status: TopUp.Status, _ elapsed: Duration) {
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "tollgate", subsystem: "payments", metricName: "top_up_duration", unitName: "seconds",
                helpText: "Time to process one top-up (checks, bookkeeping, ledger and gateway calls), after authentication"),
            labels: [("status", status.rawValue)], buckets: Self.buckets
        ).record(elapsed)
    }
}
