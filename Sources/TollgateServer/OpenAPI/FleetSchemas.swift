extension Schemas {
    /// Enrollment tokens, enrollment and agents, exactly as `AgentsController` and `AgentController` accept and answer.
    static var fleet: [String: Any] {
        let nullableUUID: [String: Any] = ["type": ["string", "null"], "format": "uuid"]
        let version = string(["pattern": AgentService.versionPattern, "description": "The agent's software version, like 1.4.2."])
        return [
            "EnrollmentTokenRequest": object(
                [
                    "label": text(max: AgentService.maxLabelLength),
                    "ttl_seconds": [
                        "type": "integer", "minimum": AgentService.minTTL, "maximum": AgentService.maxTTL, "default": AgentService.defaultTTL,
                        "description": "How long the token can be used, in seconds.",
                    ],
                    "max_uses": [
                        "type": "integer", "minimum": 1, "maximum": AgentService.maxUses, "default": 1,
                        "description": "How many agents the token may enroll, e.g. the replicas of a StatefulSet.",
                    ],
                ], required: ["label"]),
            "EnrollmentToken": object(
                [
                    "id": uuid, "label": string(), "status": string(["enum": ["pending", "used", "expired", "revoked"]]),
                    "expires_at": time, "max_uses": ["type": "integer", "minimum": 1], "uses": ["type": "integer", "minimum": 0],
                    "used_at": nullableTime, "used_by_agent": nullableUUID, "revoked_at": nullableTime, "created_at": time,
                    "token": string(["pattern": "^tge_[0-9A-Za-z]{43}$", "description": "The enrollment token; only in the creation response."]),
                ], required: ["id", "label", "status", "expires_at", "max_uses", "uses", "used_at", "used_by_agent", "revoked_at", "created_at"]),
            "EnrollmentTokenPage": page("EnrollmentToken"),
            "EnrollmentRequest": object(
                [
                    "token": string(["minLength": 1, "maxLength": AgentService.maxTokenLength, "description": "The tge_… enrollment token."]),
                    "name": text(max: AgentService.maxNameLength), "version": version,
                ], required: ["token", "name", "version"]),
            "Enrollment": object(
                [
                    "agent_id": uuid, "tenant_id": uuid, "name": string(),
                    "credential": string(["pattern": "^tga_[0-9A-Za-z]{43}$", "description": "The agent's credential (Authorization: Bearer …); shown only here."]),
                ], required: ["agent_id", "tenant_id", "name", "credential"]),
            "Agent": object(
                [
                    "id": uuid, "tenant_id": uuid, "name": string(), "version": string(),
                    "address": ["type": ["string", "null"], "description": "The peer address of its last call."],
                    "last_seen_at": nullableTime, "status": string(["enum": ["active", "revoked"]]), "revoked_at": nullableTime,
                    "enrolled_with": uuid, "created_at": time,
                ], required: ["id", "tenant_id", "name", "version", "address", "last_seen_at", "status", "revoked_at", "enrolled_with", "created_at"]),
            "AgentPage": page("Agent"),
        ]
    }
}
