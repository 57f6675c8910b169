extension OpenAPIDocument {
    /// The edge fleet: enrollment tokens and agents (tenant side), enrollment and identity (agent side).
    static var fleetOperations: [Operation] {
        let id = [pathID("id")]
        let version: [String: Any] = [
            "name": "X-Tollgate-Agent-Version", "in": "header", "required": false,
            "description": "The agent's software version, recorded with the call.",
            "schema": ["type": "string", "pattern": AgentService.versionPattern],
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
        ]
    }
}
