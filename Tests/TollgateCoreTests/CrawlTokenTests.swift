import Crypto
import Foundation
import Testing
import TollgateCore

@Suite struct CrawlTokenTests {
    let tenant = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!
    let site = UUID(uuidString: "11111111-2222-3333-4444-555555555555")!
    let otherTenant = UUID(uuidString: "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE")!
    let otherSite = UUID(uuidString: "99999999-8888-7777-6666-555555555555")!
    let issued = Date(timeIntervalSince1970: 1_700_000_000)

    func claims(scope: CrawlTokenScope = .all, lifetime: TimeInterval = 300) -> CrawlTokenClaims {
        CrawlTokenClaims(
            crawlerAccountID: UUID(), scope: scope, maxPrice: Money(micros: 50_000, currency: .usd), issuedAt: issued,
            expiresAt: issued.addingTimeInterval(lifetime)
        )
    }

    @Test func issuesAndVerifiesOffline() throws {
        let keyring = CrawlTokenKeyring(activeKey: .generate())
        let claims = claims(scope: .restricted(tenants: [tenant], sites: []))
        let token = try keyring.issue(claims)
        #expect(token.hasPrefix("tgc1."))
        #expect(token.split(separator: ".").count == 3)
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        let verifier = CrawlTokenVerifier(publicKeys: keyring.publicKeys)
        let verified = try verifier.verify(token, now: issued.addingTimeInterval(10), tenantID: tenant, siteID: site)
        #expect(verified.claims == claims)
        #expect(verified.keyID == keyring.activeKey.id)
        #expect(verified.keyID == JWKThumbprint.thumbprint(of: keyring.activeKey.publicKey))
    }

    @Test func payloadIsTheDocumentedJSON() throws {
        let key = CrawlTokenSigningKey(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32)))
        let claims = CrawlTokenClaims(
            tokenID: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!,
            crawlerAccountID: UUID(uuidString: "00000000-0000-0000-0000-000000000002")!,
            scope: .restricted(tenants: [tenant], sites: [site]), maxPrice: Money(micros: 10_000, currency: .usd),
            issuedAt: Date(timeIntervalSince1970: 100.9), expiresAt: Date(timeIntervalSince1970: 160)
        )
        let token = try CrawlTokenKeyring(activeKey: key).issue(claims)
        let payload = String(decoding: try #require(Base64URL.decode(String(token.split(separator: ".")[1]))), as: UTF8.self)
        #expect(payload == #"{"exp":160,"iat":100,"jti":"00000000-0000-0000-0000-000000000001","kid":"\#(key.id)","max_price":{"currency":"USD","micros":10000},"scope":{"sites":["11111111-2222-3333-4444-555555555555"],"tenants":["6f9619ff-8b86-d011-b42d-00c04fc964ff"]},"sub":"00000000-0000-0000-0000-000000000002"}"#)
        // The signature covers "tgc1.<payload>".
        let parts = token.split(separator: ".")
        let signature = try #require(Base64URL.decode(String(parts[2])))
        #expect(key.publicKey.isValidSignature(signature, for: Array("tgc1.\(parts[1])".utf8)))
    }

    @Test func rotationKeepsOldTokensValidUntilTheKeyIsRemoved() throws {
        let first = CrawlTokenKeyring(activeKey: .generate())
        let oldToken = try first.issue(claims())
        let second = first.rotated(to: .generate())
        let newToken = try second.issue(claims())
        let verifier = CrawlTokenVerifier(publicKeys: second.publicKeys)
        let now = issued.addingTimeInterval(1)
        #expect(try verifier.verify(oldToken, now: now).keyID == first.activeKey.id)
        #expect(try verifier.verify(newToken, now: now).keyID == second.activeKey.id)
        #expect(second.publicKeys.keyIDs.count == 2)

        let third = second.removingRetiredKey(id: first.activeKey.id)
        #expect(throws: CrawlTokenError.unknownKeyID(first.activeKey.id)) {
            try CrawlTokenVerifier(publicKeys: third.publicKeys).verify(oldToken, now: now)
        }
        #expect(third.removingRetiredKey(id: third.activeKey.id).activeKey.id == third.activeKey.id)
        // A key set shipped as a JWKS verifies the same tokens.
        let shipped = try JSONDecoder().decode(KeyDirectory.self, from: JSONEncoder().encode(second.publicKeys.directory))
        #expect(try CrawlTokenVerifier(publicKeys: CrawlTokenPublicKeySet(directory: shipped)).verify(oldToken, now: now).claims.scope == .all)
    }

    @Test func rejectsForgedAndTamperedTokens() throws {
        let keyring = CrawlTokenKeyring(activeKey: .generate())
        let verifier = CrawlTokenVerifier(publicKeys: keyring.publicKeys)
        let token = try keyring.issue(claims())
        let now = issued.addingTimeInterval(1)

        // Signed by a key the verifier does not know.
        let strangerKey = CrawlTokenSigningKey.generate()
        let stranger = try CrawlTokenKeyring(activeKey: strangerKey).issue(claims())
        #expect(throws: CrawlTokenError.unknownKeyID(strangerKey.id)) { try verifier.verify(stranger, now: now) }

        // Every one-byte change of the token is refused.
        let bytes = Array(token.utf8)
        for offset in bytes.indices {
            var changed = bytes
            changed[offset] = changed[offset] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(throws: CrawlTokenError.self, "offset \(offset)") {
                try verifier.verify(String(decoding: changed, as: UTF8.self), now: now)
            }
        }

        // A payload re-signed by another key but claiming our key id.
        let parts = token.split(separator: ".")
        let forger = Curve25519.Signing.PrivateKey()
        let forged = "tgc1.\(parts[1])." + Base64URL.encode(try forger.signature(for: Array("tgc1.\(parts[1])".utf8)))
        #expect(throws: CrawlTokenError.badSignature) { try verifier.verify(forged, now: now) }
    }

    @Test(arguments: [
        "", "tgc1", "tgc1..", "tgc2.e30.AAAA", "tgc1.e30", "tgc1.e30.AAAA.extra", "tgc1.!!!.AAAA", "tgc1.e30.AAAA",
    ])
    func rejectsMalformedTokens(token: String) {
        let verifier = CrawlTokenVerifier(publicKeys: CrawlTokenPublicKeySet())
        #expect {
            try verifier.verify(token, now: issued)
        } throws: { error in
            guard case .malformed = error as? CrawlTokenError else { return false }
            return true
        }
    }

    @Test func rejectsOverlongTokensBeforeDecoding() {
        let verifier = CrawlTokenVerifier(publicKeys: CrawlTokenPublicKeySet())
        #expect(throws: CrawlTokenError.malformed("longer than 4096 bytes")) {
            try verifier.verify("tgc1." + String(repeating: "A", count: 5_000) + ".A", now: issued)
        }
    }

    @Test func enforcesTheValidityWindow() throws {
        let keyring = CrawlTokenKeyring(activeKey: .generate())
        let verifier = CrawlTokenVerifier(publicKeys: keyring.publicKeys)
        let token = try keyring.issue(claims(lifetime: 60))
        let expiry = issued.addingTimeInterval(60)
        #expect(throws: CrawlTokenError.expired(expiredAt: expiry, now: expiry)) { try verifier.verify(token, now: expiry) }
        #expect(throws: Never.self) { try verifier.verify(token, now: expiry.addingTimeInterval(-1)) }
        let early = issued.addingTimeInterval(-1)
        #expect(throws: CrawlTokenError.notYetValid(validFrom: issued, now: early)) { try verifier.verify(token, now: early) }
        let tolerant = CrawlTokenVerifier(publicKeys: keyring.publicKeys, clockSkew: 5)
        #expect(throws: Never.self) { try tolerant.verify(token, now: early) }
        #expect(throws: Never.self) { try tolerant.verify(token, now: expiry.addingTimeInterval(4)) }
    }

    @Test func enforcesScope() throws {
        let keyring = CrawlTokenKeyring(activeKey: .generate())
        let verifier = CrawlTokenVerifier(publicKeys: keyring.publicKeys)
        let now = issued.addingTimeInterval(1)
        let siteOnly = try keyring.issue(claims(scope: .restricted(tenants: [], sites: [site])))
        #expect(throws: Never.self) { try verifier.verify(siteOnly, now: now, tenantID: otherTenant, siteID: site) }
        #expect(throws: CrawlTokenError.outOfScope(tenantID: tenant, siteID: otherSite)) {
            try verifier.verify(siteOnly, now: now, tenantID: tenant, siteID: otherSite)
        }
        let tenantOnly = try keyring.issue(claims(scope: .restricted(tenants: [tenant], sites: [])))
        #expect(throws: Never.self) { try verifier.verify(tenantOnly, now: now, tenantID: tenant, siteID: otherSite) }
        #expect(throws: CrawlTokenError.outOfScope(tenantID: otherTenant, siteID: otherSite)) {
            try verifier.verify(tenantOnly, now: now, tenantID: otherTenant, siteID: otherSite)
        }
        let everywhere = try keyring.issue(claims())
        #expect(throws: Never.self) { try verifier.verify(everywhere, now: now, tenantID: otherTenant, siteID: otherSite) }
    }

    @Test func refusesToIssueNonsense() {
        let keyring = CrawlTokenKeyring(activeKey: .generate())
        #expect(throws: CrawlTokenError.invalidClaims("expiry is not after issue time")) { try keyring.issue(claims(lifetime: 0)) }
        #expect(throws: CrawlTokenError.invalidClaims("scope names no tenant and no site")) {
            try keyring.issue(claims(scope: .restricted(tenants: [], sites: [])))
        }
        var negative = claims()
        negative.maxPrice = Money(micros: -1, currency: .usd)
        #expect(throws: CrawlTokenError.self) { try keyring.issue(negative) }
    }
}
