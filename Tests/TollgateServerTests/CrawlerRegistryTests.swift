import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing
import TollgateCore

@testable import TollgateServer

/// The crawler registry: operators register crawlers with uploaded keys or a Web Bot Auth key directory (served
/// here by a real HTTP server on 127.0.0.1, allow-listed like a development setup), tenants read the registry.
@Suite(.serialized) struct CrawlerRegistryTests {
    static let password = "crawler correct horse"
    static let vectors = TestEnvironment.repositoryRoot + "/../shared/data/web-bot-auth-vectors"

    /// The RFC 9421 Ed25519 test key, and the keyid the published Web Bot Auth vectors use for it.
    static func testKey() throws -> (jwk: JSONWebKey, key: Curve25519.Signing.PrivateKey, keyID: String) {
        let jwk = try JSONDecoder().decode(JSONWebKey.self, from: Data(contentsOf: URL(fileURLWithPath: vectors + "/ed25519.json")))
        struct Vector: Decodable {
            let key: JSONWebKey
            let signature_input: String
        }
        let architecture = try JSONDecoder().decode(
            [Vector].self, from: Data(contentsOf: URL(fileURLWithPath: vectors + "/web_bot_auth_architecture_v2.json")))
        let input = try #require(architecture.first { $0.key.kty == "OKP" }?.signature_input)
        let keyID = try #require(input.firstMatch(of: /keyid="([^"]+)"/)?.1)
        return (jwk, try jwk.ed25519PrivateKey(), String(keyID))
    }

    static func publicJSON(_ key: Curve25519.Signing.PublicKey) -> String {
        #"{"kty":"OKP","crv":"Ed25519","x":"\#(Base64URL.encode(key.rawRepresentation))"}"#
    }

    // MARK: Uploaded keys, conflicts, revocation, the tenants' view

    @Test func uploadedKeysConflictsAndRevocation() async throws {
        try await withRegistryApp { client, deps in
            let (jwk, key, keyID) = try Self.testKey()
            let auth = try await client.crawlerOperator("ops@bot.example")
            let fields = #""name":"ExampleBot","product_token":"ExampleBot","user_agent":"Mozilla/5.0 (compatible; ExampleBot/1.0; +https://bot.example/bot)","contact":"ops@bot.example","purposes":["search","ai-input"]"#

            // A private JWK is refused by the name of its private member, and nothing is registered.
            let privateJWK = #"{"kty":"OKP","crv":"Ed25519","x":"\#(jwk.x!)","d":"\#(jwk.d!)"}"#
            let (refused, problem) = try await client.json(.post, "/v1/crawler/crawlers", headers: auth, body: "{\(fields),\"keys\":[\(privateJWK)]}")
            #expect(refused.status == .unprocessableContent)
            #expect(problem.fieldNames == ["keys[0].d"], "\(problem)")
            let rsa = #"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}"#
            let (_, rsaProblem) = try await client.json(.post, "/v1/crawler/crawlers", headers: auth, body: "{\(fields),\"keys\":[\(rsa)]}")
            #expect(rsaProblem.fieldNames == ["keys[0].kty"], "\(rsaProblem)")
            let (_, noIdentity) = try await client.json(.post, "/v1/crawler/crawlers", headers: auth, body: "{\(fields)}")
            #expect(noIdentity.fieldNames == ["key_directory_url"], "\(noIdentity)")
            let (_, badFields) = try await client.json(
                .post, "/v1/crawler/crawlers", headers: auth,
                body: #"{"name":"","product_token":"Example Bot","user_agent":"x","contact":"nobody","purposes":["search","search"],"keys":[\#(Self.publicJSON(key.publicKey))]}"#)
            #expect(badFields.fieldNames == ["name", "product_token", "contact", "purposes[1]"], "\(badFields)")
            #expect(try await client.json(.post, "/v1/crawler/crawlers", body: "{\(fields),\"keys\":[\(Self.publicJSON(key.publicKey))]}").0.status == .unauthorized)

            // Registered with the public key: its thumbprint is the keyid of the published vectors.
            let (created, crawler) = try await client.json(
                .post, "/v1/crawler/crawlers", headers: auth, body: "{\(fields),\"keys\":[\(Self.publicJSON(key.publicKey))]}")
            #expect(created.status == .created, "\(crawler)")
            let id = try #require(crawler["id"] as? String)
            #expect(crawler["verified"] as? Bool == false && crawler["status"] as? String == "active")
            #expect(crawler["directory"] is NSNull)
            #expect(crawler["purposes"] as? [String] == ["search", "ai-input"])
            let uploaded = try #require((crawler["keys"] as? [[String: Any]])?.first)
            #expect(uploaded["thumbprint"] as? String == keyID)
            #expect(keyID == "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U")
            #expect(uploaded["source"] as? String == "uploaded" && uploaded["verified"] as? Bool == false && uploaded["status"] as? String == "active")
            #expect((uploaded["jwk"] as? [String: Any])?["d"] == nil)

            // Product tokens are unique platform-wide, ignoring case; a key identifies one crawler.
            let rival = try await client.crawlerOperator("rival@bot.example")
            let (taken, takenProblem) = try await client.json(
                .post, "/v1/crawler/crawlers", headers: rival,
                body: #"{"name":"Copy","product_token":"examplebot","user_agent":"Copy/1.0","contact":"https://rival.example/contact","purposes":["training"],"keys":[\#(Self.publicJSON(Curve25519.Signing.PrivateKey().publicKey))]}"#)
            #expect(taken.status == .conflict && takenProblem.slug == "product-token-taken", "\(takenProblem)")
            let (inUse, inUseProblem) = try await client.json(
                .post, "/v1/crawler/crawlers", headers: rival,
                body: #"{"name":"Rival","product_token":"RivalBot","user_agent":"RivalBot/1.0","contact":"https://rival.example/contact","purposes":["training"],"keys":[\#(Self.publicJSON(key.publicKey))]}"#)
            #expect(inUse.status == .conflict && inUseProblem.slug == "key-in-use", "\(inUseProblem)")

            // Another operator's crawler answers 404 on every route.
            let second = Curve25519.Signing.PrivateKey()
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/v1/crawler/crawlers/\(id)", nil), (.patch, "/v1/crawler/crawlers/\(id)", #"{"name":"Mine"}"#),
                (.delete, "/v1/crawler/crawlers/\(id)", nil), (.post, "/v1/crawler/crawlers/\(id)/keys", #"{"jwk":\#(Self.publicJSON(second.publicKey))}"#),
                (.delete, "/v1/crawler/crawlers/\(id)/keys/\(keyID)", nil), (.post, "/v1/crawler/crawlers/\(id)/directory/refresh", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let (response, _) = try await client.json(method, path, headers: rival, body: body)
                #expect(response.status == .notFound, "\(method) \(path)")
            }

            // More keys: Ed25519 public keys only.
            let (added, addedKey) = try await client.json(
                .post, "/v1/crawler/crawlers/\(id)/keys", headers: auth, body: #"{"jwk":\#(Self.publicJSON(second.publicKey))}"#)
            #expect(added.status == .created && addedKey["thumbprint"] as? String == JWKThumbprint.thumbprint(of: second.publicKey), "\(addedKey)")
            #expect(try await client.json(
                .post, "/v1/crawler/crawlers/\(id)/keys", headers: auth, body: #"{"jwk":\#(Self.publicJSON(second.publicKey))}"#).1.slug == "key-exists")
            let (_, privateUpload) = try await client.json(.post, "/v1/crawler/crawlers/\(id)/keys", headers: auth, body: #"{"jwk":\#(privateJWK)}"#)
            #expect(privateUpload.fieldNames == ["jwk.d"], "\(privateUpload)")
            let (_, x25519) = try await client.json(
                .post, "/v1/crawler/crawlers/\(id)/keys", headers: auth, body: #"{"jwk":{"kty":"OKP","crv":"X25519","x":"\#(jwk.x!)"}}"#)
            #expect(x25519.fieldNames == ["jwk.crv"], "\(x25519)")
            let (_, expired) = try await client.json(
                .post, "/v1/crawler/crawlers/\(id)/keys", headers: auth,
                body: #"{"jwk":{"kty":"OKP","crv":"Ed25519","x":"\#(Base64URL.encode(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation))","exp":1700000000}}"#)
            #expect(expired.fieldNames == ["jwk.exp"], "\(expired)")
            let (_, farFuture) = try await client.json(
                .post, "/v1/crawler/crawlers/\(id)/keys", headers: auth,
                body: #"{"jwk":{"kty":"OKP","crv":"Ed25519","x":"\#(Base64URL.encode(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation))","exp":1e300}}"#)
            #expect(farFuture.fieldNames == ["jwk.exp"], "\(farFuture)")
            let (_, unknown) = try await client.json(.post, "/v1/crawler/crawlers/\(id)/keys", headers: auth, body: #"{"key":{}}"#)
            #expect(unknown.fieldNames == ["key"], "\(unknown)")

            // Tenants see the crawler, unverified: its keys are only asserted by the operator.
            let owner = try await client.signup("publisher@example.com", tenant: "Daily News")
            let tenant: HTTPFields = [.cookie: owner.cookie]
            let (listed, registry) = try await client.json(.get, "/v1/crawlers", headers: tenant)
            #expect(listed.status == .ok, "\(registry)")
            let entry = try #require((registry["items"] as? [[String: Any]])?.first { $0["id"] as? String == id })
            #expect(entry["product_token"] as? String == "ExampleBot" && entry["verified"] as? Bool == false)
            #expect(entry["key_count"] as? Int == 2 && entry["verified_key_count"] as? Int == 0)
            #expect((entry["operator"] as? [String: Any])?["name"] as? String == "Operator of ops@bot.example")
            #expect(entry["key_directory_url"] is NSNull && entry["keys"] == nil)
            #expect(try await client.json(.get, "/v1/crawlers?verified=true", headers: tenant).1.items.isEmpty)
            #expect(try await client.json(.get, "/v1/crawlers?verified=false", headers: tenant).1.items.count == 1)
            #expect(try await client.json(.get, "/v1/crawlers?verified=maybe", headers: tenant).0.status == .unprocessableContent)
            #expect(try await client.json(.get, "/v1/crawlers").0.status == .unauthorized)
            let (_, detail) = try await client.json(.get, "/v1/crawlers/\(id)", headers: tenant)
            #expect((detail["keys"] as? [[String: Any]])?.map { $0["verified"] as? Bool } == [false, false])

            // Revoking a key is final; the tenant view counts it no more.
            let (revokedKey, _) = try await client.json(.delete, "/v1/crawler/crawlers/\(id)/keys/\(keyID)", headers: auth)
            #expect(revokedKey.status == .noContent)
            #expect(try await client.json(.delete, "/v1/crawler/crawlers/\(id)/keys/\(keyID)", headers: auth).0.status == .notFound)
            let (_, afterRevoke) = try await client.json(.get, "/v1/crawler/crawlers/\(id)", headers: auth)
            let revokedEntry = (afterRevoke["keys"] as? [[String: Any]])?.first { $0["thumbprint"] as? String == keyID }
            #expect(revokedEntry?["status"] as? String == "revoked" && revokedEntry?["revoked_reason"] as? String == "operator")
            let (again, againProblem) = try await client.json(
                .post, "/v1/crawler/crawlers/\(id)/keys", headers: auth, body: #"{"jwk":\#(Self.publicJSON(key.publicKey))}"#)
            #expect(again.status == .conflict && againProblem.slug == "key-revoked")
            #expect(try await client.json(.get, "/v1/crawlers/\(id)", headers: tenant).1["key_count"] as? Int == 1)

            // Edits; the product token cannot change.
            let (patched, patchedBody) = try await client.json(
                .patch, "/v1/crawler/crawlers/\(id)", headers: auth, body: #"{"name":"ExampleBot Search","purposes":["search"]}"#)
            #expect(patched.status == .ok && patchedBody["name"] as? String == "ExampleBot Search" && patchedBody["purposes"] as? [String] == ["search"])
            #expect(try await client.json(
                .patch, "/v1/crawler/crawlers/\(id)", headers: auth, body: #"{"product_token":"Other"}"#).1.fieldNames == ["product_token"])
            #expect(try await client.json(.patch, "/v1/crawler/crawlers/\(id)", headers: auth, body: #"{"name":null}"#).0.status == .unprocessableContent)

            // Revoking the crawler keeps it readable; tenants no longer see it; it cannot change.
            #expect(try await client.json(.delete, "/v1/crawler/crawlers/\(id)", headers: auth).0.status == .noContent)
            let (_, gone) = try await client.json(.get, "/v1/crawler/crawlers/\(id)", headers: auth)
            #expect(gone["status"] as? String == "revoked" && gone["revoked_at"] is String)
            #expect((gone["keys"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "revoked" } == true)
            #expect(try await client.json(.get, "/v1/crawlers/\(id)", headers: tenant).0.status == .notFound)
            #expect(try await client.json(.get, "/v1/crawlers", headers: tenant).1.items.isEmpty)
            #expect(try await client.json(.patch, "/v1/crawler/crawlers/\(id)", headers: auth, body: #"{"name":"Back"}"#).1.slug == "crawler-revoked")
            let (_, mine) = try await client.json(.get, "/v1/crawler/crawlers", headers: auth)
            #expect(mine.items.count == 1 && mine["next_cursor"] is NSNull)

            var actions: [String] = []
            try await deps.audit.forEachEvent(tenantID: AuditLog.platformChain) { actions.append($0.action) }
            #expect(actions.filter { $0.hasPrefix("crawler.") } == [
                "crawler.registered", "crawler.key_added", "crawler.key_revoked", "crawler.updated", "crawler.revoked",
            ])
            #expect(try await deps.audit.verify(tenantID: AuditLog.platformChain) == .intact(events: actions.count))
        }
    }

    // MARK: Key directories

    @Test func aSignedDirectoryVerifiesTheCrawler() async throws {
        try await withRegistryApp { client, deps in
            let (_, key, keyID) = try Self.testKey()
            let server = DirectoryServer(keys: [key], cacheControl: "public, max-age=7200")
            let auth = try await client.crawlerOperator("ops@signed.example")
            let owner = try await client.signup("publisher@example.com")
            let tenant: HTTPFields = [.cookie: owner.cookie]
            var crawlerID = ""
            try await withDirectoryServer(server) { port in
                // An origin names its well-known directory; registering does not fetch yet.
                let (created, crawler) = try await client.json(
                    .post, "/v1/crawler/crawlers", headers: auth,
                    body: #"{"name":"Signed","product_token":"SignedBot","user_agent":"SignedBot/2.0","contact":"https://signed.example/bot","purposes":["training"],"key_directory_url":"http://127.0.0.1:\#(port)"}"#)
                #expect(created.status == .created, "\(crawler)")
                crawlerID = try #require(crawler["id"] as? String)
                let directoryURL = "http://127.0.0.1:\(port)/.well-known/http-message-signatures-directory"
                #expect(crawler.directory?["url"] as? String == directoryURL && crawler.directory?["status"] as? String == "pending")
                #expect(crawler["verified"] as? Bool == false && server.requests == 0)

                // A refresh fetches it, verifies its own signature and keeps the key by thumbprint.
                let refreshPath = "/v1/crawler/crawlers/\(crawlerID)/directory/refresh"
                let (refreshed, verified) = try await client.json(.post, refreshPath, headers: auth)
                #expect(refreshed.status == .ok, "\(verified)")
                #expect(verified["verified"] as? Bool == true && verified["verified_at"] is String)
                let proven = try #require((verified["keys"] as? [[String: Any]])?.first)
                #expect(proven["thumbprint"] as? String == keyID && proven["source"] as? String == "directory" && proven["verified"] as? Bool == true)
                #expect(verified.directory?["status"] as? String == "ok" && verified.directory?["consecutive_failures"] as? Int == 0)
                // Cache-Control max-age decides the next refresh; the key outlives it by the stale grace.
                #expect(abs(try secondsFromNow(verified.directory?["next_refresh_at"]) - 7200) < 60)
                #expect(abs(try secondsFromNow(proven["expires_at"]) - 7200 - 86_400) < 60)
                #expect(server.lastAccept?.hasPrefix(KeyDirectory.mediaType) == true)

                let (_, registry) = try await client.json(.get, "/v1/crawlers?verified=true", headers: tenant)
                let entry = try #require(registry.items.first)
                #expect(entry["product_token"] as? String == "SignedBot" && entry["verified_key_count"] as? Int == 1)
                #expect(entry["key_directory_url"] as? String == directoryURL)

                // max-age is bounded below by 5 minutes.
                server.update { $0.cacheControl = "max-age=5" }
                let (_, short) = try await client.json(.post, refreshPath, headers: auth)
                #expect(abs(try secondsFromNow(short.directory?["next_refresh_at"]) - 300) < 60)

                // Unusable directories: a 502 problem naming the reason, and the proven key stays.
                let cases: [(String, (inout DirectoryServer.State) -> Void, String)] = [
                    ("unsigned", { $0.signers = [] }, "key-directory-unsigned"),
                    ("signed by a key it does not list", { $0.signers = [Curve25519.Signing.PrivateKey()] }, "key-directory-unsigned"),
                    ("signed for another authority", { $0.signedAuthority = "directory.example" }, "key-directory-unsigned"),
                    ("served as HTML", { $0.contentType = "text/html" }, "key-directory-invalid"),
                    ("holding a private key", { $0.body = #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"x","d":"d"}]}"# }, "key-directory-invalid"),
                    ("failing", { $0.status = .internalServerError }, "key-directory-unreachable"),
                ]
                for (what, change, slug) in cases {
                    server.update { $0 = DirectoryServer.State(keys: [key]); change(&$0) }
                    let (failed, problem) = try await client.json(.post, refreshPath, headers: auth)
                    #expect(failed.status == .badGateway && problem.slug == slug, "\(what): \(failed.status) \(problem)")
                    #expect(failed.headers[.contentType] == "application/problem+json")
                    let (_, after) = try await client.json(.get, "/v1/crawler/crawlers/\(crawlerID)", headers: auth)
                    #expect(after["verified"] as? Bool == true, "\(what)")
                    #expect((after["keys"] as? [[String: Any]])?.map { $0["status"] as? String } == ["active"], "\(what)")
                    #expect(after.directory?["status"] as? String == "failed" && after.directory?["last_error"] as? String == problem.detail?.components(separatedBy: ". Nothing was changed").first, "\(what)")
                }

                // Rotation: the directory now lists only a new key, signed by it; the old key is withdrawn.
                let next = Curve25519.Signing.PrivateKey()
                server.update { $0 = DirectoryServer.State(keys: [next]) }
                let (rotated, rotatedBody) = try await client.json(.post, refreshPath, headers: auth)
                #expect(rotated.status == .ok, "\(rotatedBody)")
                let keys = try #require(rotatedBody["keys"] as? [[String: Any]])
                #expect(Set(keys.compactMap { $0["thumbprint"] as? String }) == [keyID, JWKThumbprint.thumbprint(of: next.publicKey)])
                #expect(keys.first { $0["thumbprint"] as? String == keyID }?["revoked_reason"] as? String == "removed-from-directory")
                #expect(rotatedBody["verified"] as? Bool == true && rotatedBody.directory?["consecutive_failures"] as? Int == 0)

                // The background refresher picks up due directories and backs off when they fail.
                server.update { $0.status = .serviceUnavailable }
                #expect(try await deps.crawlerRegistry.refreshDue() == 0)
                try await deps.database.withPlatform { connection in
                    try await connection.query(
                        "UPDATE crawlers SET directory_next_refresh_at = now() - interval '1 second' WHERE id = \(UUID(uuidString: crawlerID)!)",
                        logger: TestEnvironment.logger)
                }
                let before = server.requests
                #expect(try await deps.crawlerRegistry.refreshDue() == 1)
                #expect(server.requests == before + 1)
                let (_, backedOff) = try await client.json(.get, "/v1/crawler/crawlers/\(crawlerID)", headers: auth)
                #expect(backedOff.directory?["consecutive_failures"] as? Int == 1 && backedOff["verified"] as? Bool == true)
                #expect(abs(try secondsFromNow(backedOff.directory?["next_refresh_at"]) - 60) < 30)
                #expect(try await deps.crawlerRegistry.refreshDue() == 0)
            }

            // A directory nobody answers for: unreachable, nothing changes.
            let (down, downProblem) = try await client.json(.post, "/v1/crawler/crawlers/\(crawlerID)/directory/refresh", headers: auth)
            #expect(down.status == .badGateway && downProblem.slug == "key-directory-unreachable", "\(downProblem)")
            #expect(try await client.json(.get, "/v1/crawlers/\(crawlerID)", headers: tenant).1["verified"] as? Bool == true)

            // Keys whose directory cannot be reached expire, and with them the verification.
            try await deps.database.withPlatform { connection in
                try await connection.query(
                    "UPDATE crawler_keys SET expires_at = now() - interval '1 second' WHERE source = 'directory' AND revoked_at IS NULL",
                    logger: TestEnvironment.logger)
            }
            #expect(try await deps.crawlerRegistry.crawlers.reconcileVerification() == 1)
            #expect(try await client.json(.get, "/v1/crawlers/\(crawlerID)", headers: tenant).1["verified"] as? Bool == false)

            // Removing the directory leaves the crawler unverified and stops refreshes.
            let (removed, removedBody) = try await client.json(
                .patch, "/v1/crawler/crawlers/\(crawlerID)", headers: auth, body: #"{"key_directory_url":null}"#)
            #expect(removed.status == .ok && removedBody["directory"] is NSNull && removedBody["verified"] as? Bool == false, "\(removedBody)")
            #expect(try await client.json(.post, "/v1/crawler/crawlers/\(crawlerID)/directory/refresh", headers: auth).1.slug == "no-key-directory")

            var actions: [String] = []
            try await deps.audit.forEachEvent(tenantID: AuditLog.platformChain) { actions.append($0.action) }
            let crawlerActions = actions.filter { $0.hasPrefix("crawler.") }
            #expect(crawlerActions.first == "crawler.registered" && crawlerActions.last == "crawler.updated")
            #expect(crawlerActions.filter { $0 == "crawler.directory_refreshed" }.count == 3)
            // Manual failures are audited each time (7), the scheduled one because the directory had just started failing.
            #expect(crawlerActions.filter { $0 == "crawler.directory_refresh_failed" }.count == 8)
            #expect(try await deps.audit.verify(tenantID: AuditLog.platformChain) == .intact(events: actions.count))
        }
    }

    @Test func aDirectoryProofDisplacesAnUploadedCopyOfItsKey() async throws {
        try await withRegistryApp { client, _ in
            let key = Curve25519.Signing.PrivateKey()
            let squatter = try await client.crawlerOperator("squatter@bot.example")
            let (_, squatted) = try await client.json(
                .post, "/v1/crawler/crawlers", headers: squatter,
                body: #"{"name":"Squat","product_token":"SquatBot","user_agent":"SquatBot","contact":"squatter@bot.example","purposes":["other"],"keys":[\#(Self.publicJSON(key.publicKey))]}"#)
            let squattedID = try #require(squatted["id"] as? String)
            try await withDirectoryServer(DirectoryServer(keys: [key], cacheControl: nil)) { port in
                let owner = try await client.crawlerOperator("owner@bot.example")
                let (_, crawler) = try await client.json(
                    .post, "/v1/crawler/crawlers", headers: owner,
                    body: #"{"name":"Real","product_token":"RealBot","user_agent":"RealBot","contact":"owner@bot.example","purposes":["search"],"key_directory_url":"http://127.0.0.1:\#(port)/keys.json"}"#)
                let id = try #require(crawler["id"] as? String)
                let (refreshed, body) = try await client.json(.post, "/v1/crawler/crawlers/\(id)/directory/refresh", headers: owner)
                #expect(refreshed.status == .ok && body["verified"] as? Bool == true, "\(body)")
                // No Cache-Control: an hour.
                #expect(abs(try secondsFromNow(body.directory?["next_refresh_at"]) - 3600) < 60)
            }
            let (_, displaced) = try await client.json(.get, "/v1/crawler/crawlers/\(squattedID)", headers: squatter)
            #expect((displaced["keys"] as? [[String: Any]])?.first?["revoked_reason"] as? String == "superseded", "\(displaced)")
        }
    }

    @Test func directoryURLsMustBePublicHTTPSUnlessAllowListed() async throws {
        try await withRegistryApp { client, _ in
            let auth = try await client.crawlerOperator("ops@urls.example")
            for url in [
                "http://bot.example/.well-known/http-message-signatures-directory", "http://127.0.0.2:8080", "https://localhost/keys",
                "https://10.1.2.3/keys", "https://169.254.169.254/latest", "https://[::1]/keys", "https://127.1/keys",
                "ftp://bot.example/keys", "https://user:secret@bot.example/keys", "not a url", "https://203.0.113.7/keys",
                // Within the limit as sent, beyond it once the well-known path is added.
                "https://bot.example/?" + String(repeating: "q", count: 2020),
            ] {
                let (response, problem) = try await client.json(
                    .post, "/v1/crawler/crawlers", headers: auth,
                    body: #"{"name":"U","product_token":"UrlBot","user_agent":"UrlBot","contact":"ops@urls.example","purposes":["other"],"key_directory_url":"\#(url)"}"#)
                #expect(response.status == .unprocessableContent && problem.fieldNames == ["key_directory_url"], "\(url): \(problem)")
            }
            let (created, crawler) = try await client.json(
                .post, "/v1/crawler/crawlers", headers: auth,
                body: #"{"name":"U","product_token":"UrlBot","user_agent":"UrlBot","contact":"ops@urls.example","purposes":["other"],"key_directory_url":"https://Bot.Example"}"#)
            #expect(created.status == .created, "\(crawler)")
            #expect(crawler.directory?["url"] as? String == "https://bot.example/.well-known/http-message-signatures-directory")
            let id = try #require(crawler["id"] as? String)
            let (_, patched) = try await client.json(
                .patch, "/v1/crawler/crawlers/\(id)", headers: auth, body: #"{"key_directory_url":"http://bot.example/dir"}"#)
            #expect(patched.fieldNames == ["key_directory_url"], "\(patched)")
        }
    }

    // MARK: Pieces without a database

    @Test func allowListConfiguration() throws {
        let allowlist = try KeyDirectoryHostAllowlist.parse("127.0.0.1:8081, directory.test,[::1]")
        #expect(allowlist.allows(host: "127.0.0.1", port: 8081) && !allowlist.allows(host: "127.0.0.1", port: 8082))
        #expect(allowlist.allows(host: "Directory.Test", port: 80) && allowlist.allows(host: "::1", port: 9))
        for bad in ["http://127.0.0.1", "127.0.0.1:99999", "a/b", "", "host,", "[::1"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try KeyDirectoryHostAllowlist.parse(bad) }
        }
        var environment = [
            "TOLLGATE_HOME": TestEnvironment.repositoryRoot, "TOLLGATE_SECRET_KEY": String(repeating: "k", count: 32),
            "TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST": "127.0.0.1",
        ]
        #expect(try ServerConfiguration.load(environment: environment).keyDirectoryHTTPAllowlist.allows(host: "127.0.0.1", port: 1234))
        environment["TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST"] = "https://127.0.0.1/"
        let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration.load(environment: environment) }
        #expect(error?.description.contains("TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST") == true)
    }

    @Test func cacheLifetimeAndBackoff() {
        #expect(KeyDirectoryCacheLifetime.seconds(cacheControl: nil) == 3600)
        #expect(KeyDirectoryCacheLifetime.seconds(cacheControl: "public, max-age=86400") == 86_400)
        #expect(KeyDirectoryCacheLifetime.seconds(cacheControl: "max-age=604800") == 86_400)
        #expect(KeyDirectoryCacheLifetime.seconds(cacheControl: "max-age=\"600\"") == 600)
        #expect(KeyDirectoryCacheLifetime.seconds(cacheControl: "max-age=0") == 300)
        #expect(KeyDirectoryCacheLifetime.seconds(cacheControl: "no-store") == 300)
        #expect(KeyDirectoryCacheLifetime.seconds(cacheControl: "max-age=oops") == 3600)
        #expect((1...12).map(CrawlerRegistryService.backoff) == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15_360, 21_600, 21_600, 21_600])
    }
}

// MARK: - Helpers

/// `withAppAndDependencies` with the loopback directory server allow-listed and the background refresher slowed
/// down, so the tests drive refreshes themselves.
private func withRegistryApp(_ body: @escaping @Sendable (any TestClientProtocol, AppDependencies) async throws -> Void) async throws {
    try await TestEnvironment.withDatabase { url in
        var configuration = TestEnvironment.configuration(databaseURL: url)
        configuration.keyDirectoryHTTPAllowlist = try KeyDirectoryHostAllowlist.parse("127.0.0.1")
        configuration.keyDirectoryRefreshInterval = .seconds(3600)
        let dependencies = try await AppDependencies(
            configuration: configuration, postgres: try DatabaseURL(url).configuration, registry: PrometheusCollectorRegistry(),
            logger: TestEnvironment.logger)
        let app = try await buildApplication(dependencies, logger: TestEnvironment.logger)
        try await app.test(.router) { client in
            do {
                try await body(client, dependencies)
            } catch let error as PSQLError {
                // PSQLError's description hides the server's message; a rare CI failure needs the whole of it.
                Issue.record("PostgreSQL error: \(String(reflecting: error))")
                throw error
            }
        }
    }
}

private func secondsFromNow(_ value: Any?) throws -> Double {
    let text = try #require(value as? String)
    return try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text).timeIntervalSinceNow
}

extension Dictionary where Key == String, Value == Any {
    fileprivate var fieldNames: [String] { ((self["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String } }
    fileprivate var slug: String? { (self["type"] as? String)?.replacingOccurrences(of: Problem.typeBase, with: "") }
    fileprivate var detail: String? { self["detail"] as? String }
    fileprivate var items: [[String: Any]] { (self["items"] as? [[String: Any]]) ?? [] }
    fileprivate var directory: [String: Any]? { self["directory"] as? [String: Any] }
}

extension TestClientProtocol {
    /// Signs a crawler operator up; its bearer token as headers.
    fileprivate func crawlerOperator(_ email: String) async throws -> HTTPFields {
        let (response, body) = try await json(
            .post, "/v1/crawler/signup", body: #"{"email":"\#(email)","password":"\#(CrawlerRegistryTests.password)","name":"Operator of \#(email)"}"#)
        #expect(response.status == .created, "\(body)")
        return [.authorization: "Bearer \(try #require(body["token"] as? String))"]
    }
}

/// A crawler's key directory: serves `{"keys":[…]}` signed per the directory draft, or whatever a test breaks.
final class DirectoryServer: Sendable {
    struct State: Sendable {
        var keys: [Curve25519.Signing.PrivateKey]
        /// nil: every listed key signs; [] leaves the response unsigned.
        var signers: [Curve25519.Signing.PrivateKey]?
        var cacheControl: String?
        var contentType = KeyDirectory.mediaType
        var status: HTTPResponse.Status = .ok
        /// Signs for this authority instead of the one requested.
        var signedAuthority: String?
        /// Replaces the body.
        var body: String?

        init(keys: [Curve25519.Signing.PrivateKey], cacheControl: String? = "max-age=3600") {
            self.keys = keys
            self.cacheControl = cacheControl
        }
    }

    private let state: Mutex<(State, requests: Int, accept: String?)>

    init(keys: [Curve25519.Signing.PrivateKey], cacheControl: String?) {
        state = Mutex((State(keys: keys, cacheControl: cacheControl), 0, nil))
    }

    var requests: Int { state.withLock { $0.requests } }
    var lastAccept: String? { state.withLock { $0.accept } }

    func update(_ change: (inout State) -> Void) {
        state.withLock { change(&$0.0) }
    }

    func respond(to request: Request) throws -> Response {
        let current = state.withLock { value in
            value.requests += 1
            value.accept = request.headers[.accept]
            return value.0
        }
        var headers: HTTPFields = [.contentType: current.contentType]
        if let cacheControl = current.cacheControl { headers[.cacheControl] = cacheControl }
        let signers = current.signers ?? current.keys
        if !signers.isEmpty {
            let authority = current.signedAuthority ?? request.head.authority ?? ""
            let fetch = MessageSignatureRequestHead(method: "GET", scheme: "http", authority: authority, path: request.uri.path)
            let signature = try KeyDirectorySigner(privateKeys: signers).sign(responseTo: fetch, created: Date())
            headers[HTTPField.Name("Signature-Input")!] = signature.signatureInput
            headers[HTTPField.Name("Signature")!] = signature.signature
        }
        let body = try current.body.map { Array($0.utf8) } ?? KeyDirectorySigner(privateKeys: current.keys).directory.encoded()
        return Response(status: current.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Runs a directory server on 127.0.0.1 (an ephemeral port) for the duration of `body`.
func withDirectoryServer(_ server: DirectoryServer, _ body: (Int) async throws -> Void) async throws {
    let router = Router()
    router.get("/.well-known/http-message-signatures-directory") { request, _ in try server.respond(to: request) }
    router.get("/keys.json") { request, _ in try server.respond(to: request) }
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "directory"),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }, logger: TestEnvironment.logger)
    let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: TestEnvironment.logger))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body(port)
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
    }
}
