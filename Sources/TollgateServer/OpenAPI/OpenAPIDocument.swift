import Foundation

/// The OpenAPI 3.1 description of every route, served at `/openapi.json`. A test compares it with the router,
/// so a route cannot be added without being documented here.
enum OpenAPIDocument {
    static func json(serverURL: String) throws -> Data {
        try JSONSerialization.data(withJSONObject: document(serverURL: serverURL), options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static func document(serverURL: String) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method] = operation.json
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Tollgate control plane API", "version": "1",
                "description": "Tenants, people, API keys, the audit log, sites with their pay-per-crawl prices and earnings; crawler operators, their accounts, crawlers and keys, crawl tokens and receipts; payment gateways, payment methods, top-ups, refunds, webhooks and payouts; edge-agent enrollment, credentials, sync, allowances, usage and metrics; blocklists and traffic analytics; the platform operator. Errors are RFC 9457 problem+json.",
            ],
            "servers": [["url": serverURL]],
            "paths": paths,
            "components": [
                "schemas": Schemas.all.merging(Schemas.sites) { current, _ in current }.merging(Schemas.ledger) { current, _ in current }
                    .merging(Schemas.crawlerRegistry) { current, _ in current }.merging(Schemas.payments) { current, _ in current }
                    .merging(Schemas.fleet) { current, _ in current }.merging(Schemas.fleetSync) { current, _ in current }
                    .merging(Schemas.blocklist) { current, _ in current }.merging(Schemas.analytics) { current, _ in current },
                "securitySchemes": securitySchemes,
            ],
        ]
    }

    static var securitySchemes: [String: Any] { [
        "apiKey": ["type": "http", "scheme": "bearer", "description": "A tenant API key (tgk_…)"],
        "session": ["type": "apiKey", "in": "cookie", "name": "tollgate_session", "description": "Browser session; writes also need X-CSRF-Token"],
        "operatorToken": ["type": "http", "scheme": "bearer", "description": "A platform-operator token (tgo_…)"],
        "crawlerToken": ["type": "http", "scheme": "bearer", "description": "A crawler-operator token (tgp_…)"],
        "agentToken": ["type": "http", "scheme": "bearer", "description": "An edge-agent credential (tga_…) from POST /v1/agent/enroll"],
    ] }

    enum Auth: Equatable {
        case none, tenant, optionalTenant, platformOperator, crawlerOperator, agent
    }

    struct Operation {
        let method: String
        let path: String
        let id: String
        let summary: String
        let tag: String
        var auth: Auth = .tenant
        var scope: Permission?
        var parameters: [[String: Any]] = []
        var body: String?
        var success: (Int, String?)
        var contentType = "application/json"

        var json: [String: Any] {
            var responses: [String: Any] = [
                "default": ["description": "An error", "content": ["application/problem+json": ["schema": ref("Problem")]]]
            ]
            if let schema = success.1 {
                responses[String(success.0)] = ["description": "Success", "content": [contentType: ["schema": ref(schema)]]]
            } else {
                responses[String(success.0)] = ["description": "Success, no content"]
            }
            var description = summary
            if let scope { description += " Needs the `\(scope.rawValue)` permission." }
            var operation: [String: Any] = [
                "operationId": id, "summary": summary, "description": description, "tags": [tag], "responses": responses,
            ]
            switch auth {
            case .none: operation["security"] = [[String: Any]]()
            case .tenant: operation["security"] = [["apiKey": [String]()], ["session": [String]()]]
            case .optionalTenant: operation["security"] = [[String: Any](), ["apiKey": [String]()], ["session": [String]()]]
            case .platformOperator: operation["security"] = [["operatorToken": [String]()]]
            case .crawlerOperator: operation["security"] = [["crawlerToken": [String]()]]
            case .agent: operation["security"] = [["agentToken": [String]()]]
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(body)]]]
            }
            return operation
        }
    }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    static func pathID(_ name: String) -> [String: Any] {
        ["name": name, "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
    }

    /// `limit` and `cursor`; the cursor is the previous page's `next_cursor`: an id, or an audit sequence number.
    static func pageParameters(cursor: [String: Any]) -> [[String: Any]] {
        [
            ["name": "limit", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": 200]],
            ["name": "cursor", "in": "query", "required": false, "schema": cursor],
        ]
    }
    static var idCursor: [String: Any] { ["type": "string", "format": "uuid"] }
    static var seqCursor: [String: Any] { ["type": "string", "pattern": "^[1-9][0-9]{0,17}$"] }

    static var operations: [Operation] { [
        Operation(method: "get", path: "/healthz", id: "health", summary: "The process is alive.", tag: "operations", auth: .none, success: (200, "Status")),
        Operation(method: "get", path: "/readyz", id: "readiness", summary: "PostgreSQL is reachable and the schema is current (503 otherwise).", tag: "operations", auth: .none, success: (200, "Readiness")),
        Operation(method: "get", path: "/metrics", id: "metrics", summary: "Prometheus metrics.", tag: "operations", auth: .none, success: (200, "Text"), contentType: "text/plain"),
        Operation(method: "get", path: "/openapi.json", id: "openapi", summary: "This document.", tag: "operations", auth: .none, success: (200, "AnyObject")),

        Operation(method: "post", path: "/v1/signup", id: "signup", summary: "Create a tenant and its owner, and sign the owner in.", tag: "sessions", auth: .none, body: "SignupRequest", success: (201, "Session")),
        Operation(method: "post", path: "/v1/sessions", id: "login", summary: "Sign in (sets the session cookie; returns the CSRF token).", tag: "sessions", auth: .none, body: "LoginRequest", success: (201, "Session")),
        Operation(method: "delete", path: "/v1/sessions/current", id: "logout", summary: "Sign out of the current browser session.", tag: "sessions", success: (204, nil)),
        Operation(method: "get", path: "/v1/me", id: "me", summary: "Who is calling, in which tenant, with which permissions.", tag: "sessions", success: (200, "Me")),
        Operation(method: "post", path: "/v1/me/totp", id: "beginTOTP", summary: "Start setting up an authenticator app (returns the secret).", tag: "sessions", success: (201, "TOTPSetup")),
        Operation(method: "post", path: "/v1/me/totp/confirm", id: "confirmTOTP", summary: "Turn the authenticator on with its current code.", tag: "sessions", body: "TOTPCode", success: (204, nil)),
        Operation(method: "post", path: "/v1/me/totp/disable", id: "disableTOTP", summary: "Turn the authenticator off with its current code.", tag: "sessions", body: "TOTPCode", success: (204, nil)),
        Operation(method: "get", path: "/v1/scopes", id: "listScopes", summary: "The permissions API keys can be given.", tag: "api-keys", auth: .optionalTenant, success: (200, "ScopePage")),

        Operation(method: "get", path: "/v1/members", id: "listMembers", summary: "Members of the tenant.", tag: "members", scope: .membersRead, success: (200, "MemberPage")),
        Operation(method: "get", path: "/v1/members/{user_id}", id: "getMember", summary: "One member.", tag: "members", scope: .membersRead, parameters: [pathID("user_id")], success: (200, "Member")),
        Operation(method: "patch", path: "/v1/members/{user_id}", id: "changeMemberRole", summary: "Change a member's role (owners only for the owner role; never the last owner).", tag: "members", scope: .membersWrite, parameters: [pathID("user_id")], body: "RoleChange", success: (200, "Member")),
        Operation(method: "delete", path: "/v1/members/{user_id}", id: "removeMember", summary: "Remove a member (or leave); never the last owner.", tag: "members", scope: .membersWrite, parameters: [pathID("user_id")], success: (204, nil)),
        Operation(method: "get", path: "/v1/invites", id: "listInvites", summary: "Open invites.", tag: "members", scope: .membersRead, success: (200, "InvitePage")),
        Operation(method: "post", path: "/v1/invites", id: "createInvite", summary: "Invite someone by email; the response carries the accept link once.", tag: "members", scope: .membersWrite, body: "InviteRequest", success: (201, "IssuedInvite")),
        Operation(method: "delete", path: "/v1/invites/{id}", id: "revokeInvite", summary: "Withdraw an open invite.", tag: "members", scope: .membersWrite, parameters: [pathID("id")], success: (204, nil)),
        Operation(method: "post", path: "/v1/invites/accept", id: "acceptInvite", summary: "Accept an invite: new people choose a password, existing ones confirm theirs.", tag: "members", auth: .none, body: "AcceptInvite", success: (201, "Session")),

        Operation(method: "get", path: "/v1/api-keys", id: "listAPIKeys", summary: "API keys, newest first.", tag: "api-keys", scope: .apiKeysRead, parameters: pageParameters(cursor: idCursor), success: (200, "APIKeyPage")),
        Operation(method: "post", path: "/v1/api-keys", id: "createAPIKey", summary: "Create an API key; `secret` is shown only in this response.", tag: "api-keys", scope: .apiKeysWrite, body: "APIKeyRequest", success: (201, "APIKey")),
        Operation(method: "get", path: "/v1/api-keys/{id}", id: "getAPIKey", summary: "One API key (never its secret).", tag: "api-keys", scope: .apiKeysRead, parameters: [pathID("id")], success: (200, "APIKey")),
        Operation(method: "delete", path: "/v1/api-keys/{id}", id: "revokeAPIKey", summary: "Revoke an API key; it stops working at once.", tag: "api-keys", scope: .apiKeysWrite, parameters: [pathID("id")], success: (204, nil)),

        Operation(method: "get", path: "/v1/audit-events", id: "listAuditEvents", summary: "The audit log, newest first.", tag: "audit", scope: .auditRead, parameters: pageParameters(cursor: seqCursor), success: (200, "AuditEventPage")),
        Operation(method: "get", path: "/v1/audit-events/export", id: "exportAuditEvents", summary: "The whole audit chain as NDJSON, oldest first.", tag: "audit", scope: .auditRead, success: (200, "AuditEvent"), contentType: "application/x-ndjson"),
        Operation(method: "get", path: "/v1/audit-events/verify", id: "verifyAuditChain", summary: "Recompute the hash chain and report the first broken link.", tag: "audit", scope: .auditRead, success: (200, "AuditVerification")),

        Operation(method: "post", path: "/v1/operator/sessions", id: "operatorLogin", summary: "Platform operator sign-in; returns a bearer token.", tag: "operator", auth: .none, body: "OperatorLoginRequest", success: (201, "OperatorToken")),
        Operation(method: "delete", path: "/v1/operator/sessions/current", id: "operatorLogout", summary: "Revoke the operator token in use.", tag: "operator", auth: .platformOperator, success: (204, nil)),
        Operation(method: "get", path: "/v1/operator/tenants", id: "operatorListTenants", summary: "Every tenant, oldest first.", tag: "operator", auth: .platformOperator, parameters: pageParameters(cursor: idCursor), success: (200, "TenantRecordPage")),
        Operation(method: "get", path: "/v1/operator/tenants/{id}", id: "operatorGetTenant", summary: "One tenant.", tag: "operator", auth: .platformOperator, parameters: [pathID("id")], success: (200, "TenantRecord")),
        Operation(method: "post", path: "/v1/operator/tenants/{id}/suspend", id: "operatorSuspendTenant", summary: "Suspend a tenant: its sessions and keys stop working.", tag: "operator", auth: .platformOperator, parameters: [pathID("id")], body: "SuspendRequest", success: (200, "TenantRecord")),
        Operation(method: "post", path: "/v1/operator/tenants/{id}/reactivate", id: "operatorReactivateTenant", summary: "Lift a suspension.", tag: "operator", auth: .platformOperator, parameters: [pathID("id")], success: (200, "TenantRecord")),
    ] + siteOperations + ledgerOperations + crawlerRegistryOperations + paymentOperations + fleetOperations + blocklistOperations
        + analyticsOperations }
}
