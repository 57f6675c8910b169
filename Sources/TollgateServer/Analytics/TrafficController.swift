import Foundation
import Hummingbird

/// `GET /v1/metrics/traffic`: the per-minute rollups edge agents reported, summed per minute or hour, so a dashboard
/// or a script sees what the fleet saw.
struct TrafficController {
    let metrics: any MetricsRepository

    /// Rows of each kind in one answer; beyond it the report says `truncated`.
    static let maxRows = 10_000

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("metrics/traffic", use: traffic)
    }

    func traffic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.analyticsRead)
        let query = try TrafficQuery(request)
        let report = try await metrics.traffic(
            tenantID: principal.tenant.id, from: query.from, to: query.to, siteID: query.siteID, grouping: query.grouping, limit: Self.maxRows)
        return try .json(report)
    }
}
