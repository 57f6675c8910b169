import Foundation

/// JSON Schemas (2020-12, as OpenAPI 3.1 uses) for request and response bodies.
enum Schemas {
    static func object(_ properties: [String: Any], required: [String], closed: Bool = true) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required, "additionalProperties": !closed]
    }
    static func string(_ extra: [String: Any] = [:]) -> [String: Any] { ["type": "string"].merging(extra) { $1 } }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var time: [String: Any] { ["type": "string", "format": "date-time"] }
    static var nullableTime: [String: Any] { ["type": ["string", "null"], "format": "date-time"] }
    static var role: [String: Any] { ["type": "string", "enum": Role.allCases.map(\.rawValue)] }
    static var scopes: [String: Any] { ["type": "string", "enum": Permission.allCases.map(\.rawValue)] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func page(_ item: String) -> [String: Any] {
        object(["items": array(OpenAPIDocument.ref(item)), "next_cursor": ["type": ["string", "null"]]], required: ["items", "next_cursor"])
    }
    /// Text a person types: at least one visible character, no control characters (C0, DEL, C1).
    static func text(max: Int) -> [String: Any] {
        ["type": "string", "minLength": 1, "maxLength": max, "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"]
    }
    static var optionalText: [String: Any] { ["type": ["string", "null"], "maxLength": 200, "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"] }
    static var email: [String: Any] { ["type": "string", "format": "email", "maxLength": 254, "pattern": Validation.emailPattern] }
    static var password: [String: Any] { ["type": "string", "minLength": 10, "maxLength": Validation.maxPasswordLength] }

    static var tenant: [String: Any] { object(["id": uuid, "name": string(), "status": string(["enum": ["active", "suspended"]])], required: ["id", "name", "status"]) }
    static var user: [String: Any] {
        object(
        ["id": uuid, "email": string(), "name": string(), "totp_enabled": ["type": "boolean"]], required: ["id", "email", "name", "totp_enabled"])
    }

    static var all: [String: Any] {
        [
            "Problem": object(
                [
                    "type": string(["format": "uri"]), "title": string(), "status": ["type": "integer"], "detail": string(),
                    "instance": string(),
                    "errors": array(object(["field": string(), "message": string()], required: ["field", "message"])),
                ], required: ["type", "title", "status", "detail"]),
            "Status": object(["status": string()], required: ["status"]),
            "Text": string(),
            "AnyObject": ["type": "object"],
            "Readiness": object(
                ["status": string(), "database": string(), "schema_version": ["type": "integer"], "expected_schema_version": ["type": "integer"]],
                required: ["status", "database", "expected_schema_version"]),
            "Tenant": tenant,
            "User": user,
            "SignupRequest": object(
                ["tenant_name": text(max: 200), "email": email, "password": password, "name": optionalText],
                required: ["tenant_name", "email", "password"]),
            "LoginRequest": object(
                ["email": email, "password": password, "totp_code": string(["pattern": "^[0-9]{6}$"]), "tenant_id": uuid],
                required: ["email", "password"]),
            "OperatorLoginRequest": object(["email": email, "password": password], required: ["email", "password"]),
            "Session": object(
                ["user": user, "tenant": tenant, "role": role, "csrf_token": string(), "expires_at": time],
                required: ["user", "tenant", "role", "csrf_token", "expires_at"]),
            "Me": object(
                [
                    "user": user, "tenant": tenant, "role": role, "permissions": array(scopes),
                    "authenticated_by": string(["enum": ["session", "api_key"]]),
                    "api_key": object(["id": uuid, "name": string(), "prefix": string()], required: ["id", "name", "prefix"]),
                    "csrf_token": string(),
                ], required: ["tenant", "permissions", "authenticated_by"]),
            "TOTPSetup": object(["secret": string(), "otpauth_uri": string()], required: ["secret", "otpauth_uri"]),
            "TOTPCode": object(["code": string(["pattern": "^[0-9]{6}$"])], required: ["code"]),
            "Scope": object(["name": scopes, "description": string()], required: ["name", "description"]),
            "ScopePage": page("Scope"),
            "Member": object(
                ["user_id": uuid, "email": string(), "name": string(), "role": role, "totp_enabled": ["type": "boolean"], "joined_at": time],
                required: ["user_id", "email", "name", "role", "totp_enabled", "joined_at"]),
            "MemberPage": page("Member"),
            "RoleChange": object(["role": role], required: ["role"]),
            "Invite": object(
                ["id": uuid, "email": string(), "role": role, "created_at": time, "expires_at": time, "status": string(["enum": ["pending", "expired"]])],
                required: ["id", "email", "role", "created_at", "expires_at", "status"]),
            "InvitePage": page("Invite"),
            "InviteRequest": object(["email": email, "role": role], required: ["email", "role"]),
            "IssuedInvite": object(
                [
                    "id": uuid, "email": string(), "role": role, "status": string(), "created_at": time, "expires_at": time,
                    "token": string(), "accept_url": string(["format": "uri"]),
                ], required: ["id", "email", "role", "status", "created_at", "expires_at", "token", "accept_url"]),
            "AcceptInvite": object(["token": string(["minLength": 1]), "password": password, "name": optionalText], required: ["token", "password"]),
            "APIKeyRequest": object(
                ["name": text(max: 100), "scopes": ["type": "array", "items": scopes, "minItems": 1], "expires_at": nullableTime],
                required: ["name", "scopes"]),
            "APIKey": object(
                [
                    "id": uuid, "name": string(), "prefix": string(), "scopes": array(string()),
                    "status": string(["enum": ["active", "revoked", "expired"]]), "created_at": time, "expires_at": nullableTime,
                    "last_used_at": nullableTime, "revoked_at": nullableTime,
                    "secret": string(["description": "The full key; only in the creation response."]),
                ], required: ["id", "name", "prefix", "scopes", "status", "created_at", "expires_at", "last_used_at", "revoked_at"]),
            "APIKeyPage": page("APIKey"),
            "AuditEvent": object(
                [
                    "id": uuid, "seq": ["type": "integer", "minimum": 1], "occurred_at": time,
                    "actor": object(["type": string(), "id": string(), "label": string()], required: ["type", "id", "label"]),
                    "client_address": string(), "action": string(),
                    "target": object(["type": string(), "id": string()], required: ["type", "id"]),
                    "details": ["type": "object", "additionalProperties": string()],
                    "prev_hash": string(["pattern": "^[0-9a-f]{64}$"]), "hash": string(["pattern": "^[0-9a-f]{64}$"]),
                ], required: ["id", "seq", "occurred_at", "actor", "client_address", "action", "target", "details", "prev_hash", "hash"]),
            "AuditEventPage": page("AuditEvent"),
            "AuditVerification": object(
                ["intact": ["type": "boolean"], "events": ["type": "integer"], "broken_at_seq": ["type": "integer"], "reason": string()],
                required: ["intact"]),
            "OperatorToken": object(["token": string(), "expires_at": time], required: ["token", "expires_at"]),
            "TenantRecord": object(
                [
                    "id": uuid, "name": string(), "status": string(["enum": ["active", "suspended"]]), "created_at": time,
                    "suspended_at": time, "suspension_reason": string(), "member_count": ["type": "integer"],
                ], required: ["id", "name", "status", "created_at", "member_count"]),
            "TenantRecordPage": page("TenantRecord"),
            "SuspendRequest": object(["reason": text(max: 500)], required: ["reason"]),
        ]
    }
}
