import TollgateCore

extension OpenAPIDocument {
    /// The edge fleet: enrollment tokens and agents (tenant side), enrollment and identity (agent side).
    static var fleetOperations: [Operation] {
        let id = [pathID("id")]
        let version: [String: Any] = [
            "name": "X-Tollgate-Agent-Version", "in": "header", "required": false,
            "description": "The agent's software version, recorded with the call.",
            "schema": ["type": "string", "pattern": AgentService.versionPattern],
        ]
        let sync: [[String: Any]] = [
            [
                "name": "since", "in": "query", "required": false,
                "description": "The `version` of the agent's last bundle; absent or not a version: a full bundle.",
                "schema": ["type": "string"],
            ],
            [
                "name": "wait", "in": "query", "required": false,
                "description": "Seconds to hold the request open while nothing has changed.",
                "schema": ["type": "integer", "minimum": 0, "maximum": FleetProtocol.maximumWaitSeconds, "default": 0],
            ],
        ]
        return [
            Operation(method: "post", path: "/v1/agents/enrollment-tokens", id: "createEnrollmentToken", summary: "Create a one-time enrollment token for a new edge agent (1 minute to 7 days, default 1 hour); `token` is shown only in this response.", tag: "fleet", scope: .sitesWrite, body: "EnrollmentTokenRequest", success: (201, "EnrollmentToken")),
            Operation(method: "get", path: "/v1/agents/enrollment-tokens", id: "listEnrollmentTokens", summary: "Enrollment tokens, newest first, with their status (never the token itself).", tag: "fleet", scope: .sitesRead, parameters: pageParameters(cursor: idCursor), success: (200, "EnrollmentTokenPage")),
            Operation(method: "delete", path: "/v1/agents/enrollment-tokens/{id}", id: "revokeEnrollmentToken", summary: "Revoke an unused enrollment token; it can no longer enroll an agent.", tag: "fleet", scope: .sitesWrite, parameters: id, success: (204, nil)),
            Operation(method: "get", path: "/v1/agents", id: "listAgents", summary: "Enrolled edge agents, newest first, with version, address and last contact.", tag: "fleet", scope: .sitesRead, parameters: pageParameters(cursor: idCursor), success: (200, "AgentPage")),
            Operation(method: "get", path: "/v1/agents/{id}", id: "getAgent", summary: "One edge agent, active or revoked.", tag: "fleet", scope: .sitesRead, parameters: id, success: (200, "Agent")),
            Operation(method: "delete", path: "/v1/agents/{id}", id: "revokeAgent", summary: "Revoke an edge agent; its credential stops working at once.", tag: "fleet", scope: .sitesWrite, parameters: id, success: (204, nil)),
            Operation(method: "post", path: "/v1/agent/enroll", id: "enrollAgent", summary: "Exchange an enrollment token, once, for the agent's own credential (shown only in this response): 401 for an unknown token, 410 for a used, revoked or expired one.", tag: "fleet", auth: .none, body: "EnrollmentRequest", success: (201, "Enrollment")),
            Operation(method: "get", path: "/v1/agent/me", id: "agentMe", summary: "The calling agent; records its version, address and the time of contact.", tag: "fleet", auth: .agent, parameters: [version], success: (200, "Agent")),
            Operation(method: "get", path: "/v1/agent/sync", id: "agentSync", summary: "The agent's state: a full bundle without `since` (or with one that is not a version), else every change since that version; with `wait`, held open until something changes or the wait ends.", tag: "fleet", auth: .agent, parameters: [version] + sync, success: (200, "SyncBundle")),
            Operation(method: "post", path: "/v1/agent/allowances", id: "agentAllowances", summary: "A fresh spending allowance on each crawler account: a slice of what other agents do not hold, or none (exhausted, capped, suspended).", tag: "fleet", auth: .agent, parameters: [version], body: "AllowanceRequest", success: (200, "AllowanceGrant")),
            Operation(method: "post", path: "/v1/agent/usage", id: "agentUsage", summary: "Post charged requests, each exactly once by (agent, sequence); re-sent events get their first result with `duplicate: true`. At most 1000 events (413 beyond).", tag: "fleet", auth: .agent, parameters: [version], body: "UsageBatch", success: (200, "UsageBatchResult")),
            Operation(method: "post", path: "/v1/agent/metrics", id: "agentMetrics", summary: "Add traffic counters and latency histograms to the tenant's rollups for the minute of `window_start`; a re-sent sequence is acknowledged without being counted again.", tag: "fleet", auth: .agent, parameters: [version], body: "MetricsBatch", success: (202, "MetricsAccepted")),
        ]
    }
}
