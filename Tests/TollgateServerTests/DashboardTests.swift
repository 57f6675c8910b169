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

    @Test func sitesAndEarningsPages() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("sites@example.com", tenant: "Sites Co")
            var headers = Self.form
            headers[.cookie] = owner.cookie
            func post(_ path: String, _ fields: String) async throws -> TestResponse {
                try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(owner.csrf)&\(fields)"))
            }

            // A bad price is shown next to its field and nothing is created.
            let bad = try await post("/app/sites", "name=Blog&hostnames=blog.example&currency=USD&default_price=0.0000001")
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains("id=\"default_price-error\""))
            let (_, none) = try await client.json(.get, "/v1/sites", headers: [.cookie: owner.cookie])
            #expect((none["items"] as? [Any])?.isEmpty == true)

            let created = try await post("/app/sites", "name=Blog&hostnames=blog.example%0D%0Awww.blog.example&currency=USD&default_price=0.02")
            #expect(created.status == .seeOther, "\(String(buffer: created.body))")
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/app/sites/"))
            let sitePath = String(location.prefix { $0 != "?" })
            let page = String(buffer: try await client.execute(uri: location, method: .get, headers: [.cookie: owner.cookie]).body)
            #expect(page.contains("USD 0.02 per request"))
            #expect(page.contains("blog.example, www.blog.example"))
            #expect(!page.contains("Also in effect"))  // nothing beyond what the form edits

            // Saving prices keeps rules the form does not show; a quote preview answers like the edge.
            let id = String(sitePath.dropFirst("/app/sites/".count))
            let (put, _) = try await client.json(
                .put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders,
                body: #"{"currency":"USD","default_price":{"micros":20000,"currency":"USD"},"crawler_overrides":[{"crawler":"BadBot","action":"block"}]}"#)
            #expect(put.status == .ok)
            let saved = try await post("\(sitePath)/pricing", "currency=USD&default_price=0.05&free_paths=%2Fpublic%2F*")
            #expect(saved.status == .seeOther)
            let (_, site) = try await client.json(.get, "/v1/sites/\(id)", headers: [.cookie: owner.cookie])
            let pricing = try #require(site["pricing"] as? [String: Any])
            #expect((pricing["default_price"] as? [String: Any])?["micros"] as? Int == 50_000)
            #expect(pricing["free_paths"] as? [String] == ["/public/*"])
            #expect((pricing["crawler_overrides"] as? [Any])?.count == 1)
            #expect(pricing["in_band"] as? Bool == false)
            // The in-band switch: ticked, the origin names prices; the page shows it ticked.
            #expect(try await post("\(sitePath)/pricing", "currency=USD&default_price=0.05&in_band=on").status == .seeOther)
            #expect((try await client.json(.get, "/v1/sites/\(id)", headers: [.cookie: owner.cookie]).1["pricing"] as? [String: Any])?["in_band"] as? Bool == true)
            let ticked = String(buffer: try await client.execute(uri: sitePath, method: .get, headers: [.cookie: owner.cookie]).body)
            #expect(ticked.contains(#"name="in_band" checked"#))
            #expect(try await post("\(sitePath)/pricing", "currency=USD&default_price=0.05&free_paths=%2Fpublic%2F*").status == .seeOther)
            let priced = String(buffer: try await client.execute(uri: "\(sitePath)?crawler=GPTBot&purpose=training&path=/a", method: .get, headers: [.cookie: owner.cookie]).body)
            #expect(priced.contains("data-result=\"price\"") && priced.contains("USD 0.05"))
            #expect(priced.contains("Also in effect and kept as they are: 1 crawler rules"))
            #expect(priced.contains("<option value=\"training\" selected>"))
            let blocked = String(buffer: try await client.execute(uri: "\(sitePath)?crawler=BadBot&path=/a", method: .get, headers: [.cookie: owner.cookie]).body)
            #expect(blocked.contains("data-result=\"blocked\""))
            let free = String(buffer: try await client.execute(uri: "\(sitePath)?path=/public/x", method: .get, headers: [.cookie: owner.cookie]).body)
            #expect(free.contains("data-result=\"free\""))

            let earnings = try await client.execute(uri: "/app/earnings", method: .get, headers: [.cookie: owner.cookie])
            #expect(earnings.status == .ok)
            #expect(String(buffer: earnings.body).contains("nothing earned yet"))
            #expect(try await client.execute(uri: "/app/earnings?group_by=tenant", method: .get, headers: [.cookie: owner.cookie]).status == .unprocessableContent)
        }
    }
}
