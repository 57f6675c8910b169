import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import TollgateServer

/// The server side of the dashboard: the guards a browser test cannot easily probe (forged forms, missing
/// sessions, escaping). The full journey runs in headless Chromium (Tests/e2e/test_dashboard.py).
@Suite(.serialized) struct DashboardTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func pagesNeedASessionAndCarrySecurityHeaders() async throws {
        try await withApp { client, _ in
            let anonymous = try await client.execute(uri: "/app/team", method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/login")

            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.status == .ok)
            #expect(login.headers[.contentType] == "text/html; charset=utf-8")
            #expect(login.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(login.headers[.xFrameOptions] == "DENY")
            #expect(login.headers[.referrerPolicy] == "same-origin")
            #expect(login.headers[.setCookie]?.contains("tollgate_form=") == true)

            // An API key is not a dashboard session.
            let owner = try await client.signup("keys@example.com")
            let key = try await client.apiKey(owner)
            let withKey = try await client.execute(uri: "/app", method: .get, headers: bearer(key.secret))
            #expect(withKey.status == .seeOther)
            let withCookie = try await client.execute(uri: "/app", method: .get, headers: [.cookie: owner.cookie])
            #expect(withCookie.status == .ok)
            #expect(String(buffer: withCookie.body).contains("Next steps"))
        }
    }

    @Test func forgedFormsChangeNothing() async throws {
        try await withApp { client, _ in
            // Sign-up without the form token (a cross-site post) is refused with an HTML page and creates nothing.
            let forged = try await client.execute(
                uri: "/signup", method: .post, headers: Self.form,
                body: ByteBuffer(string: "tenant_name=Evil&email=victim%40example.com&password=correct+horse+battery"))
            #expect(forged.status == .forbidden)
            #expect(forged.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: forged.body).contains("Form expired"))
            let (login, _) = try await client.json(
                .post, "/v1/sessions", body: #"{"email":"victim@example.com","password":"correct horse battery"}"#)
            #expect(login.status == .unauthorized)

            // A signed-in form with a wrong CSRF token creates no key.
            let owner = try await client.signup("csrf@example.com")
            var headers = Self.form
            headers[.cookie] = owner.cookie
            let wrong = try await client.execute(
                uri: "/app/api-keys", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=nope&name=x&scopes=audit%3Aread"))
            #expect(wrong.status == .forbidden)
            let (keys, body) = try await client.json(.get, "/v1/api-keys", headers: [.cookie: owner.cookie])
            #expect(keys.status == .ok)
            #expect((body["items"] as? [Any])?.isEmpty == true)

            let right = try await client.execute(
                uri: "/app/api-keys", method: .post, headers: headers,
                body: ByteBuffer(string: "_csrf=\(owner.csrf)&name=deploy&scopes=audit%3Aread"))
            #expect(right.status == .created)
            #expect(String(buffer: right.body).contains("id=\"new-key-secret\""))
        }
    }

    @Test func invalidInputIsShownInlineAndEscaped() async throws {
        try await withApp { client, _ in
            let page = try await client.execute(uri: "/signup", method: .get)
            let cookie = String(page.headers[.setCookie]!.split(separator: ";")[0])
            let token = String(cookie.split(separator: "=")[1])
            var headers = Self.form
            headers[.cookie] = cookie
            let response = try await client.execute(
                uri: "/signup", method: .post, headers: headers,
                body: ByteBuffer(string: "_form=\(token)&tenant_name=%3Cscript%3Ex%3C%2Fscript%3E&email=nope&password=short"))
            let html = String(buffer: response.body)
            #expect(response.status == .unprocessableContent)
            #expect(html.contains("class=\"field-error\" id=\"email-error\""))
            #expect(html.contains("class=\"field-error\" id=\"password-error\""))
            #expect(html.contains("value=\"&lt;script&gt;x&lt;/script&gt;\""))
            #expect(!html.contains("<script>"))
        }
    }

    @Test func membersWithoutPermissionSeeAnHTMLRefusal() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("boss@example.com")
            let (_, invite) = try await client.json(
                .post, "/v1/invites", headers: owner.sessionHeaders, body: #"{"email":"viewer@example.com","role":"viewer"}"#)
            let token = try #require(invite["token"] as? String)

            let page = try await client.execute(uri: "/invite/\(token)", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("viewer@example.com"))
            let formCookie = String(page.headers[.setCookie]!.split(separator: ";")[0])
            var headers = Self.form
            headers[.cookie] = formCookie
            let accepted = try await client.execute(
                uri: "/invite/\(token)", method: .post, headers: headers,
                body: ByteBuffer(string: "\(formCookie.replacingOccurrences(of: "tollgate_form", with: "_form"))&name=Vi&password=correct+horse+battery"))
            #expect(accepted.status == .seeOther)
            let session = try #require(accepted.headers[.setCookie]?.split(separator: ";").first.map(String.init))

            let keys = try await client.execute(uri: "/app/api-keys", method: .get, headers: [.cookie: session])
            #expect(keys.status == .forbidden)
            #expect(keys.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: keys.body).contains("api_keys:read"))

            let used = try await client.execute(uri: "/invite/\(token)", method: .get)
            #expect(String(buffer: used.body).contains("can no longer be used"))
        }
    }
}
