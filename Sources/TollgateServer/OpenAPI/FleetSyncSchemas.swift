import TollgateCore

extension Schemas {
    /// The fleet protocol's bodies (`TollgateCore/Fleet`), as `FleetController` reads and writes them with `FleetJSON`:
    /// absent optional members are left out. Request bodies are open (unknown members are ignored), so agents newer
    /// than the control plane keep working.
    static var fleetSync: [String: Any] {
        let money = OpenAPIDocument.ref("Money")
        let currency: [String: Any] = ["type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"]
        let sequence: [String: Any] = ["type": "integer", "minimum": 0, "description": "The agent's sequence number (unsigned 64-bit)."]
        let nullableUUID: [String: Any] = ["type": ["string", "null"], "format": "uuid"]
        let label: [String: Any] = ["type": "string", "minLength": 1, "maxLength": MetricsIngestService.maxActionLength]
        let allowance = object(
            [
                "crawler_account_id": uuid, "status": string(["enum": ["active", "exhausted", "capped", "suspended"]]), "remaining": money,
                "expires_at": time,
            ], required: ["crawler_account_id", "status", "remaining", "expires_at"])
        return [
            "SyncBundle": object(
                [
                    "version": string(["pattern": "^[0-9]+$", "description": "Opaque; send it back as `since`."]),
                    "full": ["type": "boolean", "description": "True when this replaces everything the agent holds."],
                    "sites": array(OpenAPIDocument.ref("SyncSite")), "crawlers": array(OpenAPIDocument.ref("SyncCrawler")),
                    "crawl_token_keys": OpenAPIDocument.ref("KeySet"),
                    "revoked_crawl_tokens": array(object(["token_id": uuid, "expires_at": time], required: ["token_id", "expires_at"])),
                    "blocklist": array(OpenAPIDocument.ref("SyncBlockEntry")), "allowances": array(OpenAPIDocument.ref("SyncAllowance")),
                ], required: ["version", "full", "sites", "crawlers", "revoked_crawl_tokens", "blocklist", "allowances"]),
            "SyncSite": object(
                [
                    "id": uuid, "tenant_id": uuid, "name": string(), "hostnames": array(string()),
                    "status": string(["enum": ["active", "archived"]]), "pricing": OpenAPIDocument.ref("PricingPolicy"),
                    "license_url": string(), "version": ["type": "integer", "minimum": 1],
                ], required: ["id", "tenant_id", "name", "hostnames", "status", "version"]),
            "SyncCrawler": object(
                [
                    "id": uuid, "operator_id": uuid, "name": string(), "product_token": string(),
                    "purposes": array(string(["enum": CrawlPurpose.allCases.map(\.rawValue)])), "status": string(["enum": ["active", "revoked"]]),
                    "keys": array(
                        object(
                            ["thumbprint": string(), "jwk": ["type": "object"], "not_before": time, "expires_at": time],
                            required: ["thumbprint", "jwk"])),
                    "accounts": array(object(["id": uuid, "currency": currency], required: ["id", "currency"])),
                ], required: ["id", "operator_id", "name", "product_token", "purposes", "status", "keys", "accounts"]),
            "SyncBlockEntry": object(
                [
                    "id": uuid, "tenant_id": uuid, "scope": string(["enum": SyncBlockEntry.Scope.allCases.map(\.rawValue)]), "value": string(),
                    "action": string(["enum": SyncBlockEntry.Action.allCases.map(\.rawValue)]), "reason": string(), "expires_at": time,
                    "deleted": ["type": "boolean"],
                ], required: ["id", "scope", "value", "action", "reason", "deleted"]),
            "SyncAllowance": allowance,
            "AllowanceRequest": object(
                [
                    "crawler_account_ids": [
                        "type": "array", "items": uuid, "minItems": 1, "maxItems": AllowanceService.maxAccounts,
                        "description": "Accounts to (re)new an allowance on; an unknown id is refused with 422.",
                    ]
                ], required: ["crawler_account_ids"], closed: false),
            "AllowanceGrant": object(["allowances": array(OpenAPIDocument.ref("SyncAllowance"))], required: ["allowances"]),
            "UsageBatch": object(
                ["events": ["type": "array", "items": OpenAPIDocument.ref("UsageRecord"), "maxItems": UsageIngestService.maxEvents]],
                required: ["events"], closed: false),
            "UsageRecord": object(
                [
                    "sequence": sequence, "crawler_account_id": uuid, "site_id": uuid, "url": string(), "price": money, "occurred_at": time,
                    "request_key": ["type": ["string", "null"]],
                ], required: ["sequence", "crawler_account_id", "site_id", "url", "price", "occurred_at"], closed: false),
            "UsageBatchResult": object(
                [
                    "results": array(
                        object(
                            [
                                "sequence": sequence, "status": string(["enum": ["posted", "rejected"]]),
                                "reason": string(["description": "Why a charge was refused: insufficient_funds, daily_cap, monthly_cap, account_suspended, currency_mismatch, unknown_account, unknown_site, invalid_event, duplicate_request (the request key was already charged to the account)."]),
                                "duplicate": ["type": "boolean"],
                            ], required: ["sequence", "status", "duplicate"])),
                    "allowances": array(OpenAPIDocument.ref("SyncAllowance")),
                ], required: ["results", "allowances"]),
            "MetricsBatch": object(
                [
                    "sequence": ["type": "integer", "minimum": 0, "maximum": Int64.max], "window_start": time,
                    "counters": ["type": "array", "items": OpenAPIDocument.ref("MetricsCounter"), "maxItems": MetricsIngestService.maxCounters],
                    "latencies": ["type": "array", "items": OpenAPIDocument.ref("MetricsLatency"), "maxItems": MetricsIngestService.maxLatencies],
                ], required: ["sequence", "window_start", "counters", "latencies"], closed: false),
            "MetricsCounter": object(
                [
                    "site_id": nullableUUID, "action": label,
                    "reason": ["type": "string", "minLength": 1, "maxLength": MetricsIngestService.maxReasonLength],
                    "crawler": ["type": ["string", "null"], "minLength": 1, "maxLength": MetricsIngestService.maxCrawlerLength],
                    "status_class": string(["enum": MetricsIngestService.statusClasses.sorted()]),
                    "count": ["type": "integer", "minimum": 0],
                ], required: ["action", "reason", "status_class", "count"], closed: false),
            "MetricsLatency": object(
                [
                    "site_id": nullableUUID, "action": label,
                    "counts": [
                        "type": "array", "items": ["type": "integer", "minimum": 0], "minItems": MetricsRollup.bucketCount,
                        "maxItems": MetricsRollup.bucketCount,
                        "description": "Requests per latency bucket, bounds \(MetricsLatency.bucketBounds.map { "\($0)" }.joined(separator: ", ")) ms and above the last.",
                    ],
                    "sum_ms": ["type": "number", "minimum": 0],
                ], required: ["action", "counts", "sum_ms"], closed: false),
            "MetricsAccepted": object(
                ["accepted": ["type": "boolean"], "duplicate": ["type": "boolean", "description": "The batch had been received before; nothing was added."]],
                required: ["accepted", "duplicate"]),
        ]
    }
}
