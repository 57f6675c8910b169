extension OpenAPIDocument {
    /// `/v1/metrics/…`: what the tenant's edge agents reported.
    static var analyticsOperations: [Operation] {
        let parameters: [[String: Any]] = [
            [
                "name": "from", "in": "query", "required": false, "description": "Start (inclusive); default 24 hours before `to`.",
                "schema": ["type": "string", "format": "date-time"],
            ],
            ["name": "to", "in": "query", "required": false, "description": "End (exclusive); default now.", "schema": ["type": "string", "format": "date-time"]],
            ["name": "site_id", "in": "query", "required": false, "description": "Only this site.", "schema": ["type": "string", "format": "uuid"]],
            [
                "name": "group_by", "in": "query", "required": false, "description": "Bucket size (UTC).",
                "schema": ["type": "string", "enum": TrafficGrouping.allCases.map(\.rawValue), "default": "hour"],
            ],
        ]
        return [
            Operation(method: "get", path: "/v1/metrics/traffic", id: "trafficReport", summary: "Requests by site, action, reason, crawler and status class, and latency histograms, summed per minute or hour over [from, to).", tag: "analytics", scope: .analyticsRead, parameters: parameters, success: (200, "TrafficReport")),
        ]
    }
}
