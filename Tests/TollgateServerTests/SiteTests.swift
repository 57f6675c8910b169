import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TollgateCore
@testable import TollgateServer

@Suite(.serialized) struct SiteTests {
    /// A policy exercising every part of the model: default, purposes, free paths, path rules, crawler overrides.
    static let policy = #"""
        {"currency":"USD","default_price":{"micros":10000,"currency":"USD"},
         "purposes":{"search":{"action":"free"},"training":{"action":"price","price":{"micros":20000,"currency":"USD"}}},
         "free_paths":["/public/*"],
         "path_rules":[{"pattern":"/premium/*","action":"price","price":{"micros":50000,"currency":"USD"}},
                       {"pattern":"/private/*","action":"block"}],
         "crawler_overrides":[{"crawler":"BadBot","action":"block"},{"crawler":"FriendBot","action":"free"}]}
        """#

    @Test func createListGetPatchAndArchive() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("sites@example.com")
            let headers = owner.sessionHeaders
            let (created, site) = try await client.json(
                .post, "/v1/sites", headers: headers,
                body: #"{"name":"  Blog  ","hostnames":["WWW.Example.com","blog.example.com","www.example.COM"]}"#)
            #expect(created.status == .created, "\(site)")
            #expect(site["name"] as? String == "Blog")
            #expect(site["hostnames"] as? [String] == ["www.example.com", "blog.example.com"])
            #expect(site["status"] as? String == "active")
            #expect(site["version"] as? Int == 1)
            #expect(site["pricing"] is NSNull)
            #expect(site["created_at"] is String && site["updated_at"] is String)
            let id = try #require(site["id"] as? String)

            let (shown, shownBody) = try await client.json(.get, "/v1/sites/\(id)", headers: headers)
            #expect(shown.status == .ok && shownBody["id"] as? String == id)

            let (renamed, renamedBody) = try await client.json(.patch, "/v1/sites/\(id)", headers: headers, body: #"{"name":"Main blog"}"#)
            #expect(renamed.status == .ok)
            #expect(renamedBody["name"] as? String == "Main blog" && renamedBody["version"] as? Int == 2)
            #expect(renamedBody["hostnames"] as? [String] == ["www.example.com", "blog.example.com"])
            let (_, rehosted) = try await client.json(.patch, "/v1/sites/\(id)", headers: headers, body: #"{"hostnames":["example.com"]}"#)
            #expect(rehosted["hostnames"] as? [String] == ["example.com"] && rehosted["version"] as? Int == 3)
            // Nothing to change: no new version.
            let (_, unchanged) = try await client.json(.patch, "/v1/sites/\(id)", headers: headers, body: #"{"name":"Main blog"}"#)
            #expect(unchanged["version"] as? Int == 3)
            // Null is refused rather than read as "leave alone".
            let (null, nullProblem) = try await client.json(.patch, "/v1/sites/\(id)", headers: headers, body: #"{"name":null}"#)
            #expect(null.status == .unprocessableContent && Self.fields(nullProblem) == ["name"])
            // The freed host name is claimable again.
            let (other, _) = try await client.json(.post, "/v1/sites", headers: headers, body: #"{"name":"Other","hostnames":["www.example.com"]}"#)
            #expect(other.status == .created)

            let (_, page1) = try await client.json(.get, "/v1/sites?limit=1", headers: headers)
            #expect((page1["items"] as! [[String: Any]]).map { $0["name"] as! String } == ["Other"])
            let cursor = try #require(page1["next_cursor"] as? String)
            let (_, page2) = try await client.json(.get, "/v1/sites?limit=1&cursor=\(cursor)", headers: headers)
            #expect((page2["items"] as! [[String: Any]]).map { $0["id"] as! String } == [id])
            #expect(page2["next_cursor"] is NSNull)

            let (archived, archivedBody) = try await client.json(.delete, "/v1/sites/\(id)", headers: headers)
            #expect(archived.status == .ok)
            #expect(archivedBody["status"] as? String == "archived" && archivedBody["version"] as? Int == 4)
            // Archived sites stay readable but leave the default list.
            #expect(try await client.json(.get, "/v1/sites/\(id)", headers: headers).1["status"] as? String == "archived")
            #expect(try await Self.names(client, "/v1/sites", headers) == ["Other"])
            #expect(try await Self.names(client, "/v1/sites?status=archived", headers) == ["Main blog"])
            #expect(try await Self.names(client, "/v1/sites?status=all", headers) == ["Other", "Main blog"])
            #expect(try await client.json(.get, "/v1/sites?status=deleted", headers: headers).0.status == .unprocessableContent)
            // ... and read-only.
            for (method, path, body) in [
                (HTTPRequest.Method.patch, "/v1/sites/\(id)", #"{"name":"x"}"#), (.delete, "/v1/sites/\(id)", nil),
                (.put, "/v1/sites/\(id)/pricing", #"{"currency":"USD"}"#), (.delete, "/v1/sites/\(id)/pricing", nil),
            ] {
                let (response, problem) = try await client.json(method, path, headers: headers, body: body)
                #expect(response.status == .conflict, "\(method) \(path): \(problem)")
                #expect((problem["type"] as? String)?.hasSuffix("/site-archived") == true)
            }
            // Its host names are free: a new site may claim them.
            let (again, againBody) = try await client.json(.post, "/v1/sites", headers: headers, body: #"{"name":"New","hostnames":["example.com"]}"#)
            #expect(again.status == .created, "\(againBody)")
            #expect(try await client.json(.get, "/v1/sites/\(UUID())", headers: headers).0.status == .notFound)
        }
    }

    @Test func hostnamesAreValidatedWithReasons() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("hosts@example.com")
            let bad: [(String, String)] = [
                ("https://example.com", "scheme"), ("example.com:8080", "port"), ("example.com/blog", "path"),
                ("bücher.example", "punycode"), ("localhost", "two labels"), ("192.0.2.1", "IP address"), ("a..example.com", "empty labels"),
                ("-a.example.com", "hyphen"), ("under_score.example.com", "letters, digits and hyphens"), ("example.com.", "dot"),
                (String(repeating: "a", count: 64) + ".example.com", "63"), (String(repeating: "abcdefghi.", count: 26) + "com", "253"),
                (" example.com", "letters, digits and hyphens"), ("", "empty"),
            ]
            for (hostname, reason) in bad {
                let (response, problem) = try await client.json(
                    .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"x","hostnames":["ok.example.com",\#(Self.quoted(hostname))]}"#)
                #expect(response.status == .unprocessableContent, "\(hostname)")
                let error = (problem["errors"] as? [[String: Any]])?.first
                #expect(error?["field"] as? String == "hostnames[1]", "\(hostname): \(problem)")
                #expect((error?["message"] as? String)?.contains(reason) == true, "\(hostname): \(problem)")
            }
            let tooMany = (0...Hostnames.maxCount).map { "\"h\($0).example.com\"" }.joined(separator: ",")
            for body in [#"{"name":"x","hostnames":[]}"#, #"{"name":"x","hostnames":[\#(tooMany)]}"#, #"{"name":"x","hostnames":"example.com"}"#] {
                let (response, problem) = try await client.json(.post, "/v1/sites", headers: owner.sessionHeaders, body: body)
                #expect(response.status == .unprocessableContent && Self.fields(problem) == ["hostnames"], "\(problem)")
            }
            let (punycode, _) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"Bücher","hostnames":["xn--bcher-kva.example"]}"#)
            #expect(punycode.status == .created)
            let (_, list) = try await client.json(.get, "/v1/sites", headers: owner.sessionHeaders)
            #expect((list["items"] as! [Any]).count == 1)
        }
    }

    /// The OpenAPI pattern and the server's check agree, so schemathesis' valid host names are accepted and its
    /// invalid ones refused.
    @Test func hostnamePatternMatchesValidation() throws {
        let regex = try Regex(Hostnames.pattern)
        let samples = [
            "example.com", "EXAMPLE.com", "a.b", "a-b.c-d.ef", "xn--bcher-kva.example", "1.2.3.4", "1a.2b", "a.1b", "a.b1", "a.b-",
            "-a.b", "a-.b", "a", "a.", ".a", "a..b", "a_b.c", "a b.c", "ä.com", "a.com:80", "a.com/x", "*.a.com",
            String(repeating: "a", count: 63) + ".com", String(repeating: "a", count: 64) + ".com", "a.\(String(repeating: "b", count: 63))",
        ]
        for sample in samples {
            let matches = (try? regex.wholeMatch(in: sample)) != nil && sample.count <= Hostnames.maxLength
            #expect(matches == (Hostnames.problem(with: sample) == nil), "\(sample)")
        }
    }

    @Test func hostnameConflictsAcrossTenantsRevealNothing() async throws {
        try await withApp { client, _ in
            let alice = try await client.signup("alice@example.com", tenant: "Alice Secret Co")
            let bob = try await client.signup("bob@example.com", tenant: "Bob Co")
            let (created, aliceSite) = try await client.json(
                .post, "/v1/sites", headers: alice.sessionHeaders, body: #"{"name":"Shop","hostnames":["shop.example.com"]}"#)
            #expect(created.status == .created)

            let (taken, problem) = try await client.json(
                .post, "/v1/sites", headers: bob.sessionHeaders, body: #"{"name":"Mine","hostnames":["bob.example.com","SHOP.example.com"]}"#)
            #expect(taken.status == .conflict)
            #expect(problem["type"] as? String == "https://tollgate.dev/problems/hostname-taken")
            let text = String(describing: problem)
            #expect(text.contains("shop.example.com"))
            #expect(!text.contains("Alice") && !text.contains(alice.tenantID) && !text.contains(aliceSite["id"] as! String))
            // Nothing was created, not even the free host name.
            #expect(try await Self.names(client, "/v1/sites", bob.sessionHeaders).isEmpty)

            let (bobCreated, bobSite) = try await client.json(
                .post, "/v1/sites", headers: bob.sessionHeaders, body: #"{"name":"Mine","hostnames":["bob.example.com"]}"#)
            #expect(bobCreated.status == .created)
            let bobID = bobSite["id"] as! String
            let (patch, _) = try await client.json(
                .patch, "/v1/sites/\(bobID)", headers: bob.sessionHeaders, body: #"{"hostnames":["bob.example.com","shop.example.com"]}"#)
            #expect(patch.status == .conflict)
            let (_, unchanged) = try await client.json(.get, "/v1/sites/\(bobID)", headers: bob.sessionHeaders)
            #expect(unchanged["hostnames"] as? [String] == ["bob.example.com"] && unchanged["version"] as? Int == 1)
            // The same tenant cannot put one host on two live sites either.
            let (own, _) = try await client.json(.post, "/v1/sites", headers: alice.sessionHeaders, body: #"{"name":"Dup","hostnames":["shop.example.com"]}"#)
            #expect(own.status == .conflict)

            // Once Alice archives her site, Bob may take the name.
            #expect(try await client.json(.delete, "/v1/sites/\(aliceSite["id"] as! String)", headers: alice.sessionHeaders).0.status == .ok)
            let (claimed, claimedBody) = try await client.json(
                .patch, "/v1/sites/\(bobID)", headers: bob.sessionHeaders, body: #"{"hostnames":["bob.example.com","shop.example.com"]}"#)
            #expect(claimed.status == .ok && claimedBody["version"] as? Int == 2)
        }
    }

    @Test func pricingIsStoredVersionedAndRemovable() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("pricing@example.com")
            let id = try await Self.site(client, owner)
            let (put, site) = try await client.json(.put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders, body: Self.policy)
            #expect(put.status == .ok, "\(site)")
            #expect(site["version"] as? Int == 2)
            let pricing = try #require(site["pricing"] as? [String: Any])
            #expect(pricing["currency"] as? String == "USD")
            #expect((pricing["default_price"] as? [String: Any])?["micros"] as? Int == 10000)
            #expect((pricing["path_rules"] as? [[String: Any]])?.map { $0["pattern"] as! String } == ["/premium/*", "/private/*"])
            #expect(((pricing["purposes"] as? [String: Any])?["training"] as? [String: Any])?["action"] as? String == "price")
            let stored = try JSONDecoder().decode(PricingPolicy.self, from: JSONSerialization.data(withJSONObject: pricing))
            #expect(stored == (try JSONDecoder().decode(PricingPolicy.self, from: Data(Self.policy.utf8))))

            #expect(pricing["in_band"] as? Bool == false)

            // The same policy again changes nothing.
            let (_, same) = try await client.json(.put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders, body: Self.policy)
            #expect(same["version"] as? Int == 2)

            // In-band pricing is a switch on the policy.
            let inBand = #"{"in_band":true,"# + Self.policy.drop { $0 != "{" }.dropFirst()
            let (_, switched) = try await client.json(.put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders, body: inBand)
            #expect((switched["pricing"] as? [String: Any])?["in_band"] as? Bool == true && switched["version"] as? Int == 3)
            _ = try await client.json(.put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders, body: Self.policy)

            let (removed, removedBody) = try await client.json(.delete, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders)
            #expect(removed.status == .ok && removedBody["pricing"] is NSNull && removedBody["version"] as? Int == 5)
            let (_, again) = try await client.json(.delete, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders)
            #expect(again["version"] as? Int == 5)

            // A site may be created with prices.
            let (created, withPricing) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"Paid","hostnames":["paid.example.com"],"pricing":\#(Self.policy)}"#)
            #expect(created.status == .created, "\(withPricing)")
            #expect((withPricing["pricing"] as? [String: Any])?["currency"] as? String == "USD" && withPricing["version"] as? Int == 1)
        }
    }

    @Test func invalidPricingIsRefusedWithFieldPathsAndChangesNothing() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("invalid@example.com")
            let id = try await Self.site(client, owner)
            #expect(try await client.json(.put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders, body: Self.policy).0.status == .ok)
            let (_, before) = try await client.json(.get, "/v1/sites/\(id)", headers: owner.sessionHeaders)
            let auditBefore = try await Self.auditActions(client, owner).count

            let usd = #"{"micros":10000,"currency":"USD"}"#
            let cases: [(String, String, String)] = [
                // Currency mix.
                (#"{"currency":"USD","default_price":{"micros":10000,"currency":"EUR"}}"#, "pricing.default_price", "EUR"),
                // Negative price.
                (#"{"currency":"USD","path_rules":[{"pattern":"/a/*","action":"price","price":{"micros":-1,"currency":"USD"}}]}"#,
                 "pricing.path_rules[0].price", "negative"),
                // Bad pattern, third rule.
                (#"{"currency":"USD","path_rules":[{"pattern":"/a","action":"free"},{"pattern":"/b","action":"block"},{"pattern":"premium/*","action":"block"}]}"#,
                 "pricing.path_rules[2].pattern", "must start with"),
                (#"{"currency":"USD","free_paths":["/a%zz"]}"#, "pricing.free_paths[0]", "hex"),
                // Duplicate pattern, across free paths and rules (equal after percent-decoding).
                (#"{"currency":"USD","free_paths":["/docs/~a*"],"path_rules":[{"pattern":"/docs/%7Ea*","action":"price","price":\#(usd)}]}"#,
                 "pricing.path_rules[0].pattern", "pricing.free_paths[0]"),
                // Duplicate crawler, compared case-insensitively.
                (#"{"currency":"USD","crawler_overrides":[{"crawler":"GPTBot","action":"block"},{"crawler":"gptbot","action":"free"}]}"#,
                 "pricing.crawler_overrides[1].crawler", "pricing.crawler_overrides[0].crawler"),
                // Unknown purpose.
                (#"{"currency":"USD","purposes":{"sleeping":{"action":"free"}}}"#, "pricing.purposes.sleeping", "training"),
                // Unknown fields, top-level and nested.
                (#"{"currency":"USD","defualt_price":\#(usd)}"#, "pricing.defualt_price", "unknown field"),
                (#"{"currency":"USD","path_rules":[{"pattern":"/a","action":"price","prise":\#(usd)}]}"#, "pricing.path_rules[0].prise", "unknown field"),
                (#"{"currency":"USD","default_price":{"micros":1,"currency":"USD","cents":1}}"#, "pricing.default_price.cents", "unknown field"),
                // A price where the action does not use one.
                (#"{"currency":"USD","path_rules":[{"pattern":"/a","action":"free","price":\#(usd)}]}"#, "pricing.path_rules[0].price", "only allowed"),
                (#"{"currency":"USD","path_rules":[{"pattern":"/a","action":"price"}]}"#, "pricing.path_rules[0].price", "required"),
                (#"{"currency":"USD","purposes":{"search":{"action":"charge"}}}"#, "pricing.purposes.search.action", "free, price, block"),
                // Wrong types and formats.
                (#"{"currency":"usd"}"#, "pricing.currency", "usd"),
                (#"{"default_price":\#(usd)}"#, "pricing.currency", "required"),
                (#"{"currency":"USD","default_price":{"micros":"10000","currency":"USD"}}"#, "pricing.default_price.micros", "integer"),
                (#"{"currency":"USD","default_price":{"micros":1.5,"currency":"USD"}}"#, "pricing.default_price.micros", "integer"),
                (#"{"currency":"USD","free_paths":null}"#, "pricing.free_paths", "not null"),
                (#"{"currency":"USD","crawler_overrides":[{"crawler":"  ","action":"block"}]}"#, "pricing.crawler_overrides[0].crawler", "product token"),
                (#"{"currency":"USD","in_band":1}"#, "pricing.in_band", "true or false"),
                (#"{"currency":"USD","in_band":null}"#, "pricing.in_band", "not null"),
            ]
            for (body, field, message) in cases {
                let (response, problem) = try await client.json(.put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders, body: body)
                #expect(response.status == .unprocessableContent, "\(body) → \(response.status)")
                #expect(response.headers[.contentType] == "application/problem+json")
                let errors = problem["errors"] as? [[String: Any]] ?? []
                #expect(errors.map { $0["field"] as? String } == [field], "\(body) → \(problem)")
                #expect((errors.first?["message"] as? String)?.contains(message) == true, "\(body) → \(problem)")
            }
            // Every problem at once, not just the first.
            let (several, severalProblem) = try await client.json(
                .put, "/v1/sites/\(id)/pricing", headers: owner.sessionHeaders,
                body: #"{"currency":"USD","default_price":{"micros":-5,"currency":"EUR"},"free_paths":["nope"]}"#)
            #expect(several.status == .unprocessableContent)
            #expect(Set(Self.fields(severalProblem)) == ["pricing.default_price", "pricing.free_paths[0]"])
            #expect(Self.fields(severalProblem).count == 3)

            let (_, after) = try await client.json(.get, "/v1/sites/\(id)", headers: owner.sessionHeaders)
            #expect(after["version"] as? Int == before["version"] as? Int)
            // Compared as policies: Foundation on Linux does not equate a JSON false read twice as NSDictionary values.
            func policy(_ site: [String: Any]) throws -> PricingPolicy {
                try JSONDecoder().decode(PricingPolicy.self, from: JSONSerialization.data(withJSONObject: site["pricing"] as Any))
            }
            #expect(try policy(after) == (try policy(before)))
            #expect(try await Self.auditActions(client, owner).count == auditBefore)

            // Creating a site with a bad policy creates nothing.
            let (create, createProblem) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders,
                body: #"{"name":"x","hostnames":["x.example.com"],"pricing":{"currency":"USD","path_rules":[{"pattern":"x","action":"block"}]}}"#)
            #expect(create.status == .unprocessableContent && Self.fields(createProblem) == ["pricing.path_rules[0].pattern"])
            let (nested, nestedProblem) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders,
                body: #"{"name":"x","hostnames":["x.example.com"],"pricing":{"currency":"USD","extra":1}}"#)
            #expect(nested.status == .unprocessableContent && Self.fields(nestedProblem) == ["pricing.extra"])
            #expect(try await Self.names(client, "/v1/sites", owner.sessionHeaders) == ["Blog"])
        }
    }

    @Test func quotePreviewsTheEdgeAnswer() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("quote@example.com")
            let id = try await Self.site(client, owner)
            let headers = owner.sessionHeaders
            func quote(_ query: String) async throws -> [String: Any] {
                let (response, body) = try await client.json(.get, "/v1/sites/\(id)/pricing/quote?\(query)", headers: headers)
                #expect(response.status == .ok, "\(query): \(body)")
                return body
            }
            // Pay-per-crawl off: everything is free.
            let off = try await quote("crawler=GPTBot&path=/premium/x")
            #expect(off["result"] as? String == "free" && off["reason"] as? String == "pay-per-crawl is off for this site")
            #expect(off["site_version"] as? Int == 1)

            #expect(try await client.json(.put, "/v1/sites/\(id)/pricing", headers: headers, body: Self.policy).0.status == .ok)
            let priced = try await quote("crawler=GPTBot&purpose=other&path=/premium/report%3Fpage%3D2")
            #expect(priced["result"] as? String == "price")
            #expect((priced["price"] as? [String: Any])?["micros"] as? Int == 50000)
            #expect(priced["price_string"] as? String == "USD 0.05")
            #expect(priced["site_version"] as? Int == 2)
            let training = try await quote("crawler=GPTBot&purpose=train-ai&path=/articles/1")
            #expect(training["price_string"] as? String == "USD 0.02")
            let fallback = try await quote("crawler=GPTBot&path=/articles/1")
            #expect(fallback["price_string"] as? String == "USD 0.01")

            for query in ["crawler=GPTBot&path=/public/a", "crawler=BadBot&path=/robots.txt", "crawler=GPTBot&purpose=search&path=/a", "crawler=friendbot&path=/premium/x"] {
                let free = try await quote(query)
                #expect(free["result"] as? String == "free", "\(query)")
                #expect(free["price"] == nil && free["price_string"] == nil, "\(query)")
            }
            let blockedCrawler = try await quote("crawler=BadBot&path=/articles/1")
            #expect(blockedCrawler["result"] as? String == "blocked")
            #expect((blockedCrawler["reason"] as? String)?.contains("BadBot") == true)
            let blockedPath = try await quote("crawler=GPTBot&path=/private/x")
            #expect(blockedPath["result"] as? String == "blocked" && (blockedPath["reason"] as? String)?.contains("/private/*") == true)

            for (query, field) in [("purpose=sleeping", "purpose"), ("path=premium", "path"), ("crawler=", "crawler"), ("purpose=Training", "purpose")] {
                let (response, problem) = try await client.json(.get, "/v1/sites/\(id)/pricing/quote?\(query)", headers: headers)
                #expect(response.status == .unprocessableContent && Self.fields(problem) == [field], "\(query): \(problem)")
            }
        }
    }

    @Test func permissionsAreEnforced() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("perm@example.com")
            let id = try await Self.site(client, owner)
            let reader = try await client.apiKey(owner, scopes: [.sitesRead])
            let outsider = try await client.apiKey(owner, scopes: [.membersRead])
            let writer = try await client.apiKey(owner, scopes: [.sitesWrite])

            #expect(try await client.json(.get, "/v1/sites", headers: bearer(reader.secret)).0.status == .ok)
            #expect(try await client.json(.get, "/v1/sites/\(id)/pricing/quote", headers: bearer(reader.secret)).0.status == .ok)
            let readerWrites: [(HTTPRequest.Method, String, String?)] = [
                (.put, "/v1/sites/\(id)/pricing", Self.policy), (.delete, "/v1/sites/\(id)/pricing", nil),
                (.post, "/v1/sites", #"{"name":"x","hostnames":["x.example.com"]}"#), (.patch, "/v1/sites/\(id)", #"{"name":"x"}"#),
                (.delete, "/v1/sites/\(id)", nil),
                // Even an invalid body gets 403 first: no validation feedback without the permission.
                (.put, "/v1/sites/\(id)/pricing", #"{"nonsense":true}"#),
            ]
            for (method, path, body) in readerWrites {
                var headers = bearer(reader.secret)
                if body != nil { headers[.contentType] = "application/json" }
                let (response, problem) = try await client.json(method, path, headers: headers, body: body)
                #expect(response.status == .forbidden, "\(method) \(path): \(problem)")
                #expect((problem["detail"] as? String)?.contains("sites:write") == true)
            }
            for path in ["/v1/sites", "/v1/sites/\(id)", "/v1/sites/\(id)/pricing/quote"] {
                #expect(try await client.json(.get, path, headers: bearer(outsider.secret)).0.status == .forbidden, "\(path)")
            }
            var writerHeaders = bearer(writer.secret)
            writerHeaders[.contentType] = "application/json"
            #expect(try await client.json(.put, "/v1/sites/\(id)/pricing", headers: writerHeaders, body: Self.policy).0.status == .ok)
            let (_, site) = try await client.json(.get, "/v1/sites/\(id)", headers: owner.sessionHeaders)
            #expect(site["version"] as? Int == 2)
            // Cookie sessions need the CSRF token for writes, as everywhere.
            #expect(try await client.json(.delete, "/v1/sites/\(id)/pricing", headers: [.cookie: owner.cookie]).0.status == .forbidden)
        }
    }

    @Test func everyChangeIsAudited() async throws {
        try await withApp { client, _ in
            let owner = try await client.signup("audited@example.com")
            let key = try await client.apiKey(owner, scopes: [.sitesRead, .sitesWrite])
            var headers = bearer(key.secret)
            headers[.contentType] = "application/json"
            let (_, site) = try await client.json(.post, "/v1/sites", headers: headers, body: #"{"name":"Blog","hostnames":["audit.example.com"]}"#)
            let id = site["id"] as! String
            _ = try await client.json(.patch, "/v1/sites/\(id)", headers: headers, body: #"{"name":"Blog 2"}"#)
            _ = try await client.json(.put, "/v1/sites/\(id)/pricing", headers: headers, body: Self.policy)
            _ = try await client.json(.delete, "/v1/sites/\(id)/pricing", headers: headers)
            _ = try await client.json(.delete, "/v1/sites/\(id)", headers: headers)

            let (_, audit) = try await client.json(.get, "/v1/audit-events", headers: [.cookie: owner.cookie])
            let events = (audit["items"] as! [[String: Any]]).filter { ($0["target"] as? [String: Any])?["type"] as? String == "site" }
            #expect(events.map { $0["action"] as! String }.reversed() == [
                "site.created", "site.updated", "site.pricing_changed", "site.pricing_removed", "site.archived",
            ])
            for event in events {
                #expect((event["target"] as? [String: Any])?["id"] as? String == id)
                #expect((event["actor"] as? [String: Any])?["type"] as? String == "api_key")
            }
            let pricingChanged = events.first { $0["action"] as? String == "site.pricing_changed" }
            #expect((pricingChanged?["details"] as? [String: String])?["default_price"] == "USD 0.01")
            #expect((pricingChanged?["details"] as? [String: String])?["version"] == "3")
            let (_, verify) = try await client.json(.get, "/v1/audit-events/verify", headers: [.cookie: owner.cookie])
            #expect(verify["intact"] as? Bool == true)
        }
    }

    // MARK: - Helpers

    /// Creates the site "Blog" for `owner` and returns its id.
    static func site(_ client: any TestClientProtocol, _ owner: Owner) async throws -> String {
        let (response, body) = try await client.json(
            .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"Blog","hostnames":["\#(UUID().uuidString.prefix(8).lowercased()).example.com"]}"#)
        #expect(response.status == .created, "\(body)")
        return try #require(body["id"] as? String)
    }

    static func names(_ client: any TestClientProtocol, _ path: String, _ headers: HTTPFields) async throws -> [String] {
        let (_, body) = try await client.json(.get, path, headers: headers)
        return (body["items"] as? [[String: Any]] ?? []).map { $0["name"] as! String }
    }

    static func auditActions(_ client: any TestClientProtocol, _ owner: Owner) async throws -> [String] {
        let (_, body) = try await client.json(.get, "/v1/audit-events?limit=200", headers: [.cookie: owner.cookie])
        return (body["items"] as? [[String: Any]] ?? []).map { $0["action"] as! String }
    }

    static func fields(_ problem: [String: Any]) -> [String] {
        (problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
    }
}
