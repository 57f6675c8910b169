import Foundation
import Hummingbird
import TollgateCore

/// The edge agent's side of the fleet protocol (`TollgateCore.FleetProtocol`): sync, allowances, usage, metrics.
/// Every route authenticates the agent (`AgentAuth`) before it reads anything else.
struct FleetController {
    let auth: AgentAuth
    let sync: FleetSyncService
    let allowances: AllowanceService
    let usage: UsageIngestService
    let metrics: MetricsIngestService

    /// Request bodies: a usage batch of 1000 events with URLs up to 4096 bytes, a metrics batch of 5000 counters and
    /// 5000 histograms.
    static let maxUsageBytes = 6 * 1024 * 1024
    static let maxMetricsBytes = 4 * 1024 * 1024
    static let maxAllowanceBytes = 64 * 1024

    struct MetricsAccepted: Encodable {
        let accepted: Bool
        let duplicate: Bool
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("agent/sync", use: syncBundle)
        group.post("agent/allowances", use: grant)
        group.post("agent/usage", use: postUsage)
        group.post("agent/metrics", use: postMetrics)
    }

    /// `?since=<version>&wait=<seconds>`: without `since`, or with one that is not a version, a full bundle.
    func syncBundle(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try await auth.require(request, context: context)
        let query = request.uri.queryParameters
        var wait = 0
        if let raw = query["wait"] {
            guard let seconds = Int(String(raw)), (0...FleetProtocol.maximumWaitSeconds).contains(seconds) else {
                throw Problem.invalid(field: "wait", "must be a whole number of seconds from 0 to \(FleetProtocol.maximumWaitSeconds)")
            }
            wait = seconds
        }
        let since = query["since"].flatMap { SyncVersion(String($0)) }
        return try FleetHTTP.response(try await sync.sync(agent: agent, since: since, wait: .seconds(wait)))
    }

    func grant(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try await auth.require(request, context: context)
        let body = try await FleetHTTP.decode(AllowanceRequest.self, from: request, maxBytes: Self.maxAllowanceBytes)
        return try FleetHTTP.response(try await allowances.grant(body, agent: agent))
    }

    func postUsage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try await auth.require(request, context: context)
        let batch = try await FleetHTTP.decode(UsageBatch.self, from: request, maxBytes: Self.maxUsageBytes)
        return try FleetHTTP.response(try await usage.ingest(batch, agent: agent))
    }

    /// 202 for a new batch and for one seen before alike, so a re-send after a lost answer is simply acknowledged.
    func postMetrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try await auth.require(request, context: context)
        let batch = try await FleetHTTP.decode(MetricsBatch.self, from: request, maxBytes: Self.maxMetricsBytes)
        let duplicate = try await metrics.ingest(batch, agent: agent)
        return try FleetHTTP.response(MetricsAccepted(accepted: true, duplicate: duplicate), status: .accepted)
    }
}
