import TollgateCore

extension Schemas {
    /// The tenant blocklist, exactly as `BlocklistController` accepts it: one variant per scope, each with the value
    /// rule `BlockEntryValue` applies.
    static var blocklist: [String: Any] {
        let action: [String: Any] = ["type": "string", "enum": SyncBlockEntry.Action.allCases.map(\.rawValue), "default": "block"]
        let reason: [String: Any] = ["type": "string", "maxLength": BlocklistService.maxReasonLength, "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"]
        let ttl: [String: Any] = [
            "type": "integer", "minimum": BlocklistService.minTTL, "maximum": BlocklistService.maxTTL,
            "description": "Seconds until the entry expires; leave it out for an entry that lasts until deleted.",
        ]
        func variant(_ scope: SyncBlockEntry.Scope, _ value: [String: Any]) -> [String: Any] {
            object(
                ["scope": ["type": "string", "const": scope.rawValue], "value": value, "action": action, "reason": reason, "ttl_seconds": ttl],
                required: ["scope", "value"])
        }
        return [
            "BlockEntryRequest": [
                "oneOf": [
                    variant(.ip, string(["pattern": BlockEntryValue.ipPattern, "description": "An IPv4 address or an IPv6 address in hex groups"])),
                    variant(.range, string(["pattern": BlockEntryValue.rangePattern, "description": "A CIDR range"])),
                    variant(.crawler, string(["pattern": BlockEntryValue.crawlerPattern, "description": "A crawler's product token"])),
                    variant(.userAgent, text(max: BlockEntryValue.maxUserAgentLength).merging(["description": "A case-insensitive User-Agent substring"]) { $1 }),
                ]
            ],
            "BlockEntry": object(
                [
                    "id": uuid, "scope": string(["enum": SyncBlockEntry.Scope.allCases.map(\.rawValue)]), "value": string(),
                    "action": string(["enum": SyncBlockEntry.Action.allCases.map(\.rawValue)]), "reason": string(),
                    "status": string(["enum": ["active", "expired", "deleted"]]), "expires_at": nullableTime,
                    "created_by": ["type": ["string", "null"], "format": "uuid"], "created_at": time,
                ], required: ["id", "scope", "value", "action", "reason", "status", "expires_at", "created_by", "created_at"]),
            "BlockEntryPage": page("BlockEntry"),
        ]
    }
}
