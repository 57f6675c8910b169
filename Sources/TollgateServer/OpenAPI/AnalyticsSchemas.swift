import TollgateCore

extension Schemas {
    /// The traffic report (`TrafficReport`).
    static var analytics: [String: Any] {
        let nullableUUID: [String: Any] = ["type": ["string", "null"], "format": "uuid"]
        return [
            "TrafficReport": object(
                [
                    "from": time, "to": time, "group_by": string(["enum": TrafficGrouping.allCases.map(\.rawValue)]), "site_id": nullableUUID,
                    "latency_bucket_bounds_ms": array(["type": "number"]),
                    "counters": array(
                        object(
                            [
                                "time": time, "site_id": nullableUUID, "action": string(), "reason": string(), "crawler": ["type": ["string", "null"]],
                                "status_class": string(), "count": ["type": "integer", "minimum": 0],
                            ], required: ["time", "site_id", "action", "reason", "crawler", "status_class", "count"])),
                    "latencies": array(
                        object(
                            [
                                "time": time, "site_id": nullableUUID, "action": string(), "counts": array(["type": "integer", "minimum": 0]),
                                "sum_ms": ["type": "number", "minimum": 0],
                            ], required: ["time", "site_id", "action", "counts", "sum_ms"])),
                    "truncated": ["type": "boolean", "description": "More rows matched than one answer holds; narrow the window."],
                ], required: ["from", "to", "group_by", "site_id", "latency_bucket_bounds_ms", "counters", "latencies", "truncated"]),
        ]
    }
}
