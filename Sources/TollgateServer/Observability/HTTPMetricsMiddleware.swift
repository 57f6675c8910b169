import Hummingbird
import Prometheus

/// Counts requests by route template and status and records latency, into the registry `/metrics` renders.
/// Using the route template (`/v1/members/{id}`), never the raw path, keeps label cardinality bounded.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    private static var buckets: [Duration] {
        [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
         .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let labels = [("method", request.method.rawValue), ("route", route)]
            registry.makeCounter(
                descriptor: Self.requestsDescriptor, labels: labels + [("status", String(status))]
            ).increment()
            registry.makeDurationHistogram(
                descriptor: Self.durationDescriptor, labels: labels, buckets: Self.buckets
            ).record(ContinuousClock.now - started)
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }

    private static var requestsDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "tollgate", subsystem: "http", metricName: "requests", unitName: "total",
        helpText: "HTTP requests by method, route template and status")
    }
    private static var durationDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "tollgate", subsystem: "http", metricName: "request_duration", unitName: "seconds",
        helpText: "HTTP request latency by method and route template")
    }
}
