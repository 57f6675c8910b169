import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
@testable import TollgateServer

@Suite(.serialized) struct APITests {
    @Test func signupSessionsKeysAndRevocation() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("owner@example.com")
            let (me, meBody) = try await client.json(.get, "/v1/me", headers: [.cookie: owner.cookie])
            #expect(me.status == .ok)
            #expect(meBody["role"] as? String == "owner")

            // Cookie-authenticated writes need the CSRF header.
            let (noCSRF, problem) = try await client.json(
                .post, "/v1/api-keys", headers: [.cookie: owner.cookie], body: #"{"name":"x","scopes":["members:read"]}"#)
            #expect(noCSRF.status == .forbidden)
            #expect(noCSRF.headers[.contentType] == "application/problem+json")
            #expect((problem["type"] as? String)?.hasSuffix("csrf-token-invalid") == true)

            let key = try await client.apiKey(owner, scopes: [.membersRead])
            #expect(key.secret.hasPrefix("tgk_"))
            #expect(try await client.json(.get, "/v1/me", headers: bearer(key.secret)).0.status == .ok)
            // A key cannot reach beyond its scopes.
            #expect(try await client.json(.get, "/v1/audit-events", headers: bearer(key.secret)).0.status == .forbidden)
            // The list shows the prefix, never the secret.
            let (_, list) = try await client.json(.get, "/v1/api-keys", headers: [.cookie: owner.cookie])
            let first = (list["items"] as! [[String: Any]])[0]
            #expect(first["secret"] == nil && (key.secret.hasPrefix(first["prefix"] as! String)))

            #expect(try await client.json(.delete, "/v1/api-keys/\(key.id)", headers: owner.sessionHeaders).0.status == .noContent)
            let (revoked, _) = try await client.json(.get, "/v1/me", headers: bearer(key.secret))
            #expect(revoked.status == .unauthorized)

            #expect(try await client.json(.delete, "/v1/sessions/current", headers: owner.sessionHeaders).0.status == .noContent)
            #expect(try await client.json(.get, "/v1/me", headers: [.cookie: owner.cookie]).0.status == .unauthorized)

            let (login, _) = try await client.json(.post, "/v1/sessions", body: #"{"email":"OWNER@example.com","password":"correct horse battery"}"#)
            #expect(login.status == .created)
            let (wrong, wrongBody) = try await client.json(.post, "/v1/sessions", body: #"{"email":"owner@example.com","password":"incorrect horse"}"#)
            let (unknown, unknownBody) = try await client.json(.post, "/v1/sessions", body: #"{"email":"nobody@example.com","password":"incorrect horse"}"#)
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrongBody["detail"] as? String == unknownBody["detail"] as? String)
        }
    }

    @Test func loginIsThrottledPerAccount() async throws {
        try await withApp { client, _ in
            _ = try await client.signup("throttle@example.com")
            for _ in 0..<5 {
                let (response, _) = try await client.json(.post, "/v1/sessions", body: #"{"email":"throttle@example.com","password":"wrong password!"}"#)
                #expect(response.status == .unauthorized)
            }
            let (limited, _) = try await client.json(.post, "/v1/sessions", body: #"{"email":"throttle@example.com","password":"correct horse battery"}"#)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test func badInputGetsProblemsAndChangesNothing() async throws {
        try await withApp { client, _ in
            let cases: [(String, HTTPFields, HTTPResponse.Status)] = [
                ("{not json", [.contentType: "application/json"], .badRequest),
                (#"{"tenant_name":"A","email":"a@example.com","password":"correct horse battery","rol":"x"}"#, [.contentType: "application/json"], .unprocessableContent),
                (#"{"tenant_name":1,"email":"a@example.com","password":"correct horse battery"}"#, [.contentType: "application/json"], .unprocessableContent),
                (#"{"tenant_name":"A","email":"not-an-email","password":"correct horse battery"}"#, [.contentType: "application/json"], .unprocessableContent),
                (#"{"tenant_name":"A","email":"a@example.com","password":"short"}"#, [.contentType: "application/json"], .unprocessableContent),
                (#"{"tenant_name":"A","email":"a@example.com","password":"correct horse battery"}"#, [.contentType: "text/plain"], .unsupportedMediaType),
                (String(repeating: " ", count: 70_000), [.contentType: "application/json"], .contentTooLarge),
            ]
            for (body, headers, status) in cases {
                let (response, problem) = try await client.json(.post, "/v1/signup", headers: headers, body: body)
                #expect(response.status == status, "\(body.prefix(60)) → \(response.status) \(problem)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            _ = try await client.signup("dup@example.com")
            let (duplicate, _) = try await client.json(
                .post, "/v1/signup", body: #"{"tenant_name":"B","email":"DUP@example.com","password":"correct horse battery"}"#)
            #expect(duplicate.status == .conflict)
            #expect(try await client.json(.get, "/v1/members").0.status == .unauthorized)
            #expect(try await client.json(.get, "/v1/members/not-a-uuid", headers: [.authorization: "Bearer tgk_nope"]).0.status == .unauthorized)
        }
    }

    @Test func listsPageByCursorAndWrongMethodsGet405() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("pages@example.com")
            for _ in 0..<3 { _ = try await client.apiKey(owner, scopes: [.tenantRead]) }
            let (_, first) = try await client.json(.get, "/v1/api-keys?limit=2", headers: [.cookie: owner.cookie])
            let cursor = try #require(first["next_cursor"] as? String)
            let (_, second) = try await client.json(.get, "/v1/api-keys?limit=2&cursor=\(cursor)", headers: [.cookie: owner.cookie])
            #expect((first["items"] as! [Any]).count == 2)
            #expect((second["items"] as! [Any]).count == 1)
            #expect(second["next_cursor"] is NSNull)
            let (unknown, unknownBody) = try await client.json(.get, "/v1/api-keys?cursor=\(UUID())", headers: [.cookie: owner.cookie])
            #expect(unknown.status == .ok && (unknownBody["items"] as! [Any]).isEmpty)
            #expect(try await client.json(.get, "/v1/api-keys?cursor=", headers: [.cookie: owner.cookie]).0.status == .unprocessableContent)

            let (wrongMethod, _) = try await client.json(.put, "/v1/invites/accept")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "POST")
        }
    }

    @Test func lastOwnerCannotBeRemovedOrDemoted() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("solo@example.com")
            let (demote, _) = try await client.json(.patch, "/v1/members/\(owner.userID)", headers: owner.sessionHeaders, body: #"{"role":"admin"}"#)
            #expect(demote.status == .conflict)
            let (remove, _) = try await client.json(.delete, "/v1/members/\(owner.userID)", headers: owner.sessionHeaders)
            #expect(remove.status == .conflict)
        }
    }

    @Test func inviteAcceptAndRoleChange() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("boss@example.com")
            let (invite, inviteBody) = try await client.json(
                .post, "/v1/invites", headers: owner.sessionHeaders, body: #"{"email":"analyst@example.com","role":"analyst"}"#)
            #expect(invite.status == .created)
            let token = inviteBody["token"] as! String
            let (accepted, acceptedBody) = try await client.json(
                .post, "/v1/invites/accept", body: #"{"token":"\#(token)","password":"another good password","name":"Ana"}"#)
            #expect(accepted.status == .created)
            #expect(acceptedBody["role"] as? String == "analyst")
            let (again, _) = try await client.json(.post, "/v1/invites/accept", body: #"{"token":"\#(token)","password":"another good password"}"#)
            #expect(again.status == .gone)
            let userID = (acceptedBody["user"] as! [String: Any])["id"] as! String
            let (changed, changedBody) = try await client.json(.patch, "/v1/members/\(userID)", headers: owner.sessionHeaders, body: #"{"role":"viewer"}"#)
            #expect(changed.status == .ok)
            #expect(changedBody["role"] as? String == "viewer")
            let (_, audit) = try await client.json(.get, "/v1/audit-events", headers: [.cookie: owner.cookie])
            let actions = (audit["items"] as! [[String: Any]]).map { $0["action"] as! String }
            #expect(actions.contains("member.invited") && actions.contains("member.joined") && actions.contains("member.role_changed"))
        }
    }

    @Test func suspendedTenantLosesAccess() async throws {
        try await withApp { client, url in
            let owner = try await client.signup("suspend@example.com")
            let key = try await client.apiKey(owner)
            try await TestEnvironment.admin(url) { connection in
                try await connection.query("SELECT set_config('tollgate.platform', 'on', false)", logger: TestEnvironment.logger)
                try await connection.query("UPDATE tenants SET status = 'suspended'", logger: TestEnvironment.logger)
            }
            // Within the auth cache lifetime (5 s) the old answer may linger; after it, both credentials stop working.
            try await Task.sleep(for: .seconds(6))
            #expect(try await client.json(.get, "/v1/me", headers: bearer(key.secret)).0.status == .forbidden)
            #expect(try await client.json(.get, "/v1/me", headers: [.cookie: owner.cookie]).0.status == .forbidden)
        }
    }
}
