import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
@testable import TollgateServer

/// Edge-agent enrollment: one-time tokens, agent credentials, revocation, isolation and the dashboard page.
@Suite(.serialized) struct AgentTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func createToken(_ client: any TestClientProtocol, _ headers: HTTPFields, body: String = #"{"label":"edge-1"}"#) async throws -> (id: String, token: String) {
        let (response, created) = try await client.json(.post, "/v1/agents/enrollment-tokens", headers: headers, body: body)
        #expect(response.status == .created, "\(created)")
        return (try #require(created["id"] as? String), try #require(created["token"] as? String))
    }

    static func enroll(_ client: any TestClientProtocol, _ token: String, name: String = "edge-eu-1") async throws -> (TestResponse, [String: Any]) {
        try await client.json(.post, "/v1/agent/enroll", body: #"{"token":"\#(token)","name":"\#(name)","version":"0.1.0"}"#)
    }

    static func slug(_ problem: [String: Any]) -> String? {
        (problem["type"] as? String)?.replacingOccurrences(of: Problem.typeBase, with: "")
    }

    @Test func enrollOnceThenUseAndRevokeTheCredential() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("fleet@example.com", tenant: "Fleet Co")
            let headers = owner.sessionHeaders
            let (created, body) = try await client.json(
                .post, "/v1/agents/enrollment-tokens", headers: headers, body: #"{"label":"edge-1","ttl_seconds":600}"#)
            #expect(created.status == .created, "\(body)")
            let token = try #require(body["token"] as? String)
            let tokenID = try #require(body["id"] as? String)
            #expect(token.hasPrefix("tge_") && token.count == 47)
            #expect(body["status"] as? String == "pending" && body["label"] as? String == "edge-1")
            let expires = try #require((body["expires_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(expires.timeIntervalSinceNow - 600) < 60)

            // Listed without the secret.
            let listed = try await client.execute(uri: "/v1/agents/enrollment-tokens", method: .get, headers: headers)
            #expect(listed.status == .ok)
            #expect(!String(buffer: listed.body).contains(token))
            let (_, page) = try await client.json(.get, "/v1/agents/enrollment-tokens", headers: headers)
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["token"] == nil && items[0]["status"] as? String == "pending")

            let (enrolled, enrollment) = try await Self.enroll(client, token)
            #expect(enrolled.status == .created, "\(enrollment)")
            let credential = try #require(enrollment["credential"] as? String)
            let agentID = try #require(enrollment["agent_id"] as? String)
            #expect(credential.hasPrefix("tga_") && credential.count == 47)
            #expect(enrollment["tenant_id"] as? String == owner.tenantID)

            // Once only.
            let (again, againProblem) = try await Self.enroll(client, token, name: "edge-eu-2")
            #expect(again.status == .gone && Self.slug(againProblem) == "enrollment-token-unusable", "\(againProblem)")
            let (_, afterUse) = try await client.json(.get, "/v1/agents/enrollment-tokens", headers: headers)
            let used = try #require((afterUse["items"] as? [[String: Any]])?.first)
            #expect(used["status"] as? String == "used" && used["used_by_agent"] as? String == agentID)
            // A used token cannot be revoked; the agent can.
            #expect(try await client.json(.delete, "/v1/agents/enrollment-tokens/\(tokenID)", headers: headers).0.status == .conflict)

            // The agent identifies itself; the call records its version, address and time.
            var agentHeaders = bearer(credential)
            agentHeaders[AgentAuth.versionHeader] = "0.2.0-rc.1"
            let (me, meBody) = try await client.json(.get, "/v1/agent/me", headers: agentHeaders)
            #expect(me.status == .ok, "\(meBody)")
            #expect(meBody["id"] as? String == agentID && meBody["name"] as? String == "edge-eu-1")
            #expect(meBody["version"] as? String == "0.2.0-rc.1" && meBody["status"] as? String == "active")
            #expect(meBody["address"] is String && meBody["last_seen_at"] is String)
            var badVersion = bearer(credential)
            badVersion[AgentAuth.versionHeader] = "not a version"
            #expect(try await client.json(.get, "/v1/agent/me", headers: badVersion).0.status == .unprocessableContent)

            // The tenant sees it, never its credential.
            let agentList = try await client.execute(uri: "/v1/agents", method: .get, headers: headers)
            #expect(!String(buffer: agentList.body).contains(credential) && !String(buffer: agentList.body).contains(token))
            let (_, agents) = try await client.json(.get, "/v1/agents", headers: headers)
            let row = try #require((agents["items"] as? [[String: Any]])?.first)
            #expect(row["id"] as? String == agentID && row["version"] as? String == "0.2.0-rc.1" && row["credential"] == nil)
            #expect(row["enrolled_with"] as? String == tokenID)
            #expect(try await client.json(.get, "/v1/agents/\(agentID)", headers: headers).1["status"] as? String == "active")

            // Credentials of other kinds, or none, are refused.
            #expect(try await client.json(.get, "/v1/agent/me").0.status == .unauthorized)
            #expect(try await client.json(.get, "/v1/agent/me", headers: bearer("tga_" + String(repeating: "x", count: 43))).0.status == .unauthorized)
            #expect(try await client.json(.get, "/v1/agent/me", headers: bearer(token)).0.status == .unauthorized)

            // Revocation takes effect at once.
            #expect(try await client.json(.delete, "/v1/agents/\(agentID)", headers: headers).0.status == .noContent)
            let (refused, refusedProblem) = try await client.json(.get, "/v1/agent/me", headers: bearer(credential))
            #expect(refused.status == .unauthorized && Self.slug(refusedProblem) == "unauthenticated")
            #expect(try await client.json(.get, "/v1/agents/\(agentID)", headers: headers).1["status"] as? String == "revoked")
            #expect(try await client.json(.delete, "/v1/agents/\(agentID)", headers: headers).0.status == .conflict)

            // All of it is in the tenant's audit chain.
            let (_, audit) = try await client.json(.get, "/v1/audit-events?limit=200", headers: headers)
            let actions = Set((audit["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
            for action in ["agent.enrollment_token_created", "agent.enrolled", "agent.revoked"] {
                #expect(actions.contains(action), "missing \(action)")
            }
            #expect(try await client.json(.get, "/v1/audit-events/verify", headers: headers).1["intact"] as? Bool == true)
        }
    }

    @Test func aTokenForSeveralAgentsEnrollsThatManyConcurrently() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("replicas@example.com", tenant: "Replicas Co")
            let (id, token) = try await Self.createToken(client, owner.sessionHeaders, body: #"{"label":"statefulset","max_uses":3}"#)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<5 {
                    group.addTask { try await Self.enroll(client, token, name: "edge-\(index)").0.status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == .gone }.count == 2, "\(statuses)")
            let (_, listed) = try await client.json(.get, "/v1/agents/enrollment-tokens", headers: owner.sessionHeaders)
            let item = try #require((listed["items"] as? [[String: Any]])?.first { $0["id"] as? String == id })
            #expect(item["uses"] as? Int == 3 && item["max_uses"] as? Int == 3 && item["status"] as? String == "used")
            let (_, agents) = try await client.json(.get, "/v1/agents", headers: owner.sessionHeaders)
            #expect((agents["items"] as? [[String: Any]])?.count == 3)

            let (tooMany, problem) = try await client.json(
                .post, "/v1/agents/enrollment-tokens", headers: owner.sessionHeaders, body: #"{"label":"x","max_uses":1001}"#)
            #expect(tooMany.status == .unprocessableContent && "\(problem)".contains("max_uses"), "\(problem)")
        }
    }

    @Test func expiredRevokedUnknownAndInvalidTokensAreRefused() async throws {
        try await withApp { client, url in
            let owner = try await client.signup("expiry@example.com")
            let headers = owner.sessionHeaders

            let expired = try await Self.createToken(client, headers)
            try await TestEnvironment.admin(url) { connection in
                try await connection.query("SELECT set_config('tollgate.platform', 'on', false)", logger: TestEnvironment.logger)
                try await connection.query(
                    """
                    UPDATE agent_enrollment_tokens SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
                    WHERE id = \(UUID(uuidString: expired.id)!)
                    """, logger: TestEnvironment.logger)
            }
            let (gone, goneProblem) = try await Self.enroll(client, expired.token)
            #expect(gone.status == .gone && (goneProblem["detail"] as? String)?.contains("expired") == true, "\(goneProblem)")

            let revoked = try await Self.createToken(client, headers)
            #expect(try await client.json(.delete, "/v1/agents/enrollment-tokens/\(revoked.id)", headers: headers).0.status == .noContent)
            #expect(try await client.json(.delete, "/v1/agents/enrollment-tokens/\(revoked.id)", headers: headers).0.status == .conflict)
            let (revokedUse, revokedProblem) = try await Self.enroll(client, revoked.token)
            #expect(revokedUse.status == .gone && (revokedProblem["detail"] as? String)?.contains("revoked") == true, "\(revokedProblem)")

            let (_, list) = try await client.json(.get, "/v1/agents/enrollment-tokens", headers: headers)
            let statuses = Dictionary(
                uniqueKeysWithValues: (list["items"] as? [[String: Any]] ?? []).map { ($0["id"] as! String, $0["status"] as! String) })
            #expect(statuses == [expired.id: "expired", revoked.id: "revoked"])

            let (unknown, unknownProblem) = try await Self.enroll(client, "tge_" + String(repeating: "a", count: 43))
            #expect(unknown.status == .unauthorized && Self.slug(unknownProblem) == "enrollment-token-invalid")
            #expect(try await Self.enroll(client, "nope").0.status == .unauthorized)

            // Bad input changes nothing: the token stays usable.
            let fresh = try await Self.createToken(client, headers)
            let (badName, _) = try await client.json(.post, "/v1/agent/enroll", body: #"{"token":"\#(fresh.token)","name":" ","version":"1"}"#)
            #expect(badName.status == .unprocessableContent)
            let (badVersion, _) = try await client.json(.post, "/v1/agent/enroll", body: #"{"token":"\#(fresh.token)","name":"x","version":"1 2"}"#)
            #expect(badVersion.status == .unprocessableContent)
            #expect(try await Self.enroll(client, fresh.token).0.status == .created)

            // Out of range, not an integer, or null (leave the field out for the default).
            for ttl in ["59", "604801", "1.5", "null", "\"3600\""] {
                let (response, problem) = try await client.json(
                    .post, "/v1/agents/enrollment-tokens", headers: headers, body: #"{"label":"x","ttl_seconds":\#(ttl)}"#)
                #expect(response.status == .unprocessableContent, "ttl \(ttl): \(problem)")
            }
            #expect(try await client.json(.post, "/v1/agents/enrollment-tokens", headers: headers, body: #"{"label":""}"#).0.status == .unprocessableContent)
        }
    }

    @Test func otherTenantsAndReadersCannotManageAgents() async throws {
        try await withApp { client, _ in
            let alice = try await client.signup("alice-fleet@example.com", tenant: "Alice Co")
            let bob = try await client.signup("bob-fleet@example.com", tenant: "Bob Co")
            let bobToken = try await Self.createToken(client, bob.sessionHeaders)
            let bobSpare = try await Self.createToken(client, bob.sessionHeaders)
            let (_, enrollment) = try await Self.enroll(client, bobToken.token)
            let bobAgent = try #require(enrollment["agent_id"] as? String)
            let credential = try #require(enrollment["credential"] as? String)

            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/agents/\(bobAgent)"), (.delete, "/v1/agents/\(bobAgent)"),
                (.delete, "/v1/agents/enrollment-tokens/\(bobSpare.id)"),
            ] {
                #expect(try await client.json(method, path, headers: alice.sessionHeaders).0.status == .notFound, "\(method) \(path)")
            }
            let (_, aliceAgents) = try await client.json(.get, "/v1/agents", headers: alice.sessionHeaders)
            #expect((aliceAgents["items"] as? [Any])?.isEmpty == true)
            let (_, aliceTokens) = try await client.json(.get, "/v1/agents/enrollment-tokens", headers: alice.sessionHeaders)
            #expect((aliceTokens["items"] as? [Any])?.isEmpty == true)
            // Bob's agent and spare token are untouched.
            #expect(try await client.json(.get, "/v1/agent/me", headers: bearer(credential)).0.status == .ok)
            #expect(try await Self.enroll(client, bobSpare.token).0.status == .created)

            // sites:read lists; creating and revoking need sites:write.
            let reader = try await client.apiKey(bob, scopes: [.sitesRead])
            #expect(try await client.json(.get, "/v1/agents", headers: bearer(reader.secret)).0.status == .ok)
            #expect(try await client.json(.get, "/v1/agents/enrollment-tokens", headers: bearer(reader.secret)).0.status == .ok)
            #expect(try await client.json(.get, "/v1/agents/\(bobAgent)", headers: bearer(reader.secret)).0.status == .ok)
            let (create, createProblem) = try await client.json(
                .post, "/v1/agents/enrollment-tokens", headers: bearer(reader.secret), body: #"{"label":"sneaky"}"#)
            #expect(create.status == .forbidden, "\(createProblem)")
            #expect(try await client.json(.delete, "/v1/agents/\(bobAgent)", headers: bearer(reader.secret)).0.status == .forbidden)
            let auditor = try await client.apiKey(bob, scopes: [.auditRead])
            #expect(try await client.json(.get, "/v1/agents", headers: bearer(auditor.secret)).0.status == .forbidden)
            #expect(try await client.json(.get, "/v1/agent/me", headers: bearer(credential)).0.status == .ok)
        }
    }

    @Test func dashboardShowsTheTokenOnceAndNeedsCSRF() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("fleet-dash@example.com", tenant: "Dash Co")
            var headers = Self.form
            headers[.cookie] = owner.cookie

            let empty = try await client.execute(uri: "/app/agents", method: .get, headers: [.cookie: owner.cookie])
            #expect(empty.status == .ok)
            let emptyHTML = String(buffer: empty.body)
            #expect(emptyHTML.contains("href=\"/app/agents\" aria-current=\"page\">Agents</a>"))
            #expect(emptyHTML.contains("id=\"enrollment-token-form\""))

            // A wrong CSRF token creates nothing.
            let forged = try await client.execute(
                uri: "/app/agents/enrollment-tokens", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=nope&label=x&ttl_seconds=3600"))
            #expect(forged.status == .forbidden)
            #expect((try await client.json(.get, "/v1/agents/enrollment-tokens", headers: [.cookie: owner.cookie]).1["items"] as? [Any])?.isEmpty == true)

            let created = try await client.execute(
                uri: "/app/agents/enrollment-tokens", method: .post, headers: headers,
                body: ByteBuffer(string: "_csrf=\(owner.csrf)&label=edge-dash&ttl_seconds=3600"))
            #expect(created.status == .created)
            let html = String(buffer: created.body)
            let token = try #require(html.firstMatch(of: /id="enrollment-token" class="copy" readonly value="(tge_[0-9A-Za-z]{43})"/)?.1)
            #expect(html.contains("helm install tollgate-edge ./helm/tollgate-edge --set controlPlane.url=http://127.0.0.1:8080 --set enrollmentToken=\(token)"))
            #expect(html.contains("ships with the edge-agent"))

            // Shown once: the page afterwards lists the token without it.
            let later = String(buffer: try await client.execute(uri: "/app/agents", method: .get, headers: [.cookie: owner.cookie]).body)
            #expect(later.contains("edge-dash") && !later.contains(String(token)) && !later.contains("id=\"enrollment-token\""))

            // A bad lifetime is refused inline.
            let bad = try await client.execute(
                uri: "/app/agents/enrollment-tokens", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(owner.csrf)&label=y&ttl_seconds=5"))
            #expect(bad.status == .unprocessableContent)

            // The token enrolls an agent; both revoke buttons work (and need CSRF).
            let (_, enrollment) = try await Self.enroll(client, String(token))
            let agentID = try #require(enrollment["agent_id"] as? String)
            let agentsHTML = String(buffer: try await client.execute(uri: "/app/agents", method: .get, headers: [.cookie: owner.cookie]).body)
            #expect(agentsHTML.contains("action=\"/app/agents/\(agentID)/revoke\""))
            let forgedRevoke = try await client.execute(
                uri: "/app/agents/\(agentID)/revoke", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=nope"))
            #expect(forgedRevoke.status == .forbidden)
            let revoked = try await client.execute(
                uri: "/app/agents/\(agentID)/revoke", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(owner.csrf)"))
            #expect(revoked.status == .seeOther)
            #expect(try await client.json(.get, "/v1/agents/\(agentID)", headers: [.cookie: owner.cookie]).1["status"] as? String == "revoked")

            let spare = try await Self.createToken(client, owner.sessionHeaders)
            let revokedToken = try await client.execute(
                uri: "/app/agents/enrollment-tokens/\(spare.id)/revoke", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(owner.csrf)"))
            #expect(revokedToken.status == .seeOther)
            #expect(try await Self.enroll(client, spare.token).0.status == .gone)

            // A viewer sees the page without forms.
            let (_, invite) = try await client.json(
                .post, "/v1/invites", headers: owner.sessionHeaders, body: #"{"email":"viewer-fleet@example.com","role":"viewer"}"#)
            let inviteToken = try #require(invite["token"] as? String)
            let (accepted, _) = try await client.json(
                .post, "/v1/invites/accept", body: #"{"token":"\#(inviteToken)","password":"correct horse battery"}"#)
            let viewerCookie = try #require(accepted.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let viewerPage = try await client.execute(uri: "/app/agents", method: .get, headers: [.cookie: viewerCookie])
            #expect(viewerPage.status == .ok)
            let viewerHTML = String(buffer: viewerPage.body)
            #expect(viewerHTML.contains("edge-dash") && !viewerHTML.contains("<form id=\"enrollment-token-form\"") && !viewerHTML.contains("/revoke\""))
        }
    }
}
