import Crypto
import Foundation
import Testing
import TollgateCore

/// One entry of `web_bot_auth_architecture_v{1,2}.json`.
private struct ArchitectureVector: Decodable {
    let key: JSONWebKey
    let target_url: String
    let created_ms: Int64
    let expires_ms: Int64
    let nonce: String
    let label: String
    let signature: String
    let signature_input: String
    let signature_agent: String?
    let signature_agent_key: String?

    var isEd25519: Bool { key.kty == "OKP" }
    var created: Date { Date(timeIntervalSince1970: TimeInterval(created_ms / 1000)) }
    var expires: Date { Date(timeIntervalSince1970: TimeInterval(expires_ms / 1000)) }

    func request(signatureInput: String? = nil, signature: String? = nil, signatureAgent: String? = nil) -> MessageSignatureRequestHead {
        var fields: [MessageSignatureRequestHead.Field] = [
            .init("Signature-Input", signatureInput ?? signature_input),
            .init("Signature", signature ?? self.signature),
        ]
        if let agent = signatureAgent ?? signature_agent { fields.append(.init("Signature-Agent", agent)) }
        return MessageSignatureRequestHead(url: target_url, fields: fields)!
    }
}

private struct ThumbprintVector: Decodable {
    let name: String
    let jwk: String
    let precompute: String
    let sha256: String
    let thumbprint: String
}

private struct SignatureAgentVector: Decodable {
    struct Entry: Decodable {
        let label: String
        let uri: String
        let type: String
    }

    let name: String
    let header: String
    let entries: [Entry]
}

private let vectorFiles = ["web_bot_auth_architecture_v1.json", "web_bot_auth_architecture_v2.json"]

private func vectors(_ file: String) throws -> [ArchitectureVector] {
    try SharedTestData.decode([ArchitectureVector].self, from: "web-bot-auth-vectors/\(file)")
}

private func testKey() throws -> JSONWebKey {
    try SharedTestData.decode(JSONWebKey.self, from: "web-bot-auth-vectors/ed25519.json")
}

/// Replaces the character at `offset` with a different one of the same class, so the text stays plausible.
private func changingOneByte(of text: String, at offset: Int) -> String {
    var bytes = Array(text.utf8)
    let byte = bytes[offset]
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "y"), UInt8(ascii: "A")...UInt8(ascii: "Y"), UInt8(ascii: "0")...UInt8(ascii: "8"):
        bytes[offset] = byte + 1
    case UInt8(ascii: "z"), UInt8(ascii: "Z"), UInt8(ascii: "9"):
        bytes[offset] = byte - 1
    default:
        bytes[offset] = UInt8(ascii: "x")
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite struct WebBotAuthTests {
    let verifier = WebBotAuthVerifier()

    // MARK: Thumbprints and keys

    @Test func thumbprintsMatchTheVectors() throws {
        let cases = try SharedTestData.decode([ThumbprintVector].self, from: "web-bot-auth-vectors/jwk-thumbprint-vectors.json")
        #expect(cases.count == 2)
        for vector in cases {
            let key = try JSONDecoder().decode(JSONWebKey.self, from: Data(vector.jwk.utf8))
            #expect(Hex.encode(Array(try JWKThumbprint.canonicalJSON(of: key).utf8)) == vector.precompute, "\(vector.name)")
            #expect(Hex.encode(try JWKThumbprint.sha256(of: key)) == vector.sha256, "\(vector.name)")
            #expect(try JWKThumbprint.thumbprint(of: key) == vector.thumbprint, "\(vector.name)")
        }
        let key = try testKey()
        #expect(try JWKThumbprint.thumbprint(of: key) == "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U")
        #expect(JWKThumbprint.thumbprint(of: try key.ed25519PublicKey()) == "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U")
        // The RSA-PSS key of the architecture vectors, whose keyid the vectors state.
        #expect(try JWKThumbprint.thumbprint(of: vectors(vectorFiles[1])[0].key) == "oD0HwocPBSfpNy5W3bpJeyFGY_IQ_YpqxSjQ3Yd-CLA")
    }

    @Test func thumbprintsRejectIncompleteOrUnknownKeys() {
        #expect(throws: JSONWebKeyError.missingMember(keyType: "OKP", member: "x")) {
            try JWKThumbprint.thumbprint(of: JSONWebKey(kty: "OKP", crv: "Ed25519"))
        }
        #expect(throws: JSONWebKeyError.missingMember(keyType: "RSA", member: "n")) {
            try JWKThumbprint.thumbprint(of: JSONWebKey(kty: "RSA", e: "AQAB"))
        }
        #expect(throws: JSONWebKeyError.unsupportedKeyType("XYZ")) { try JWKThumbprint.thumbprint(of: JSONWebKey(kty: "XYZ")) }
    }

    @Test func loadsTheRFC9421TestKey() throws {
        let key = try testKey()
        let privateKey = try key.ed25519PrivateKey()
        #expect(Base64URL.encode(privateKey.publicKey.rawRepresentation) == key.x)
        #expect(throws: JSONWebKeyError.self) { try JSONWebKey(kty: "OKP", crv: "Ed25519", x: "AAAA").ed25519PublicKey() }
        #expect(throws: JSONWebKeyError.notEd25519(keyType: "OKP", curve: "X25519")) {
            try JSONWebKey(kty: "OKP", crv: "X25519", x: key.x).ed25519PublicKey()
        }
        var mismatched = key
        mismatched.x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        #expect(throws: JSONWebKeyError.invalidKeyMaterial("d does not match x")) { try mismatched.ed25519PrivateKey() }
    }

    @Test func keyDirectoryParsesAndRefusesPrivateKeys() throws {
        let body = #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs","use":"sig","extra":1},{"kty":"RSA","e":"AQAB","n":"0vx7"}],"purpose":"ignored"}"#
        let directory = try KeyDirectory.parse(Array(body.utf8))
        #expect(directory.keys.count == 2)
        let keys = directory.ed25519KeysByThumbprint()
        #expect(Array(keys.keys) == ["poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"])
        // A directory that publishes the private test key must be refused.
        let privateJWK = Array(try SharedTestData.data("web-bot-auth-vectors/ed25519.json"))
        #expect(throws: KeyDirectoryError.containsPrivateKey(index: 0)) {
            try KeyDirectory.parse(Array(#"{"keys":["#.utf8) + privateJWK + Array("]}".utf8))
        }
        #expect(throws: KeyDirectoryError.self) { try KeyDirectory.parse(Array(#"{"keys":{}}"#.utf8)) }
        #expect(throws: KeyDirectoryError.self) { try KeyDirectory.parse(Array("not json".utf8)) }
        let encoded = String(decoding: try KeyDirectory(keys: [try testKey()]).encoded(), as: UTF8.self)
        #expect(encoded == #"{"keys":[{"crv":"Ed25519","kid":"test-key-ed25519","kty":"OKP","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}]}"#)
    }

    // MARK: Signature-Agent

    @Test func parsesSignatureAgentVectors() throws {
        let cases = try SharedTestData.decode([SignatureAgentVector].self, from: "web-bot-auth-vectors/web_bot_auth_signature_agent_v1.json")
        #expect(cases.count == 3)
        for vector in cases {
            let agent = try SignatureAgent.parse(vector.header)
            #expect(agent.form == .dictionary)
            #expect(agent.entries.map(\.label) == vector.entries.map(\.label), "\(vector.name)")
            #expect(agent.entries.map(\.uri) == vector.entries.map(\.uri), "\(vector.name)")
            #expect(agent.entries.map(\.type.rawValue) == vector.entries.map(\.type), "\(vector.name)")
            #expect(try agent.headerValue() == vector.header, "\(vector.name)")
        }
    }

    @Test func parsesBothSignatureAgentForms() throws {
        let legacy = try SignatureAgent.parse(#""https://signature-agent.test""#)
        #expect(legacy.form == .string)
        #expect(legacy.entries.first?.label == nil)
        #expect(legacy.entries.first?.keyDirectoryURL == "https://signature-agent.test/.well-known/http-message-signatures-directory")
        #expect(try legacy.headerValue() == #""https://signature-agent.test""#)

        let full = try SignatureAgent.parse(#"a="https://agent.example/.well-known/http-message-signatures-directory""#)
        #expect(full.entries[0].keyDirectoryURL == "https://agent.example/.well-known/http-message-signatures-directory")
        let jwks = try SignatureAgent.parse(#"a="https://agent.example/keys.json";type=jwks_uri, b="https://other.example/""#)
        #expect(jwks.entries[0].keyDirectoryURL == "https://agent.example/keys.json")
        #expect(jwks.entries[1].keyDirectoryURL == "https://other.example/.well-known/http-message-signatures-directory")
        #expect(jwks.entry(label: "b")?.type == .directory)
    }

    @Test(arguments: [
        #""http://agent.example""#,
        #"a="http://agent.example""#,
        #"a="https://agent.example";type=nonsense"#,
        #"a=https"#,
        "https://agent.example",
        #"a=("https://agent.example")"#,
        #"a="not a url""#,
    ])
    func rejectsBadSignatureAgents(header: String) {
        #expect(throws: WebBotAuthError.self) { try SignatureAgent.parse(header) }
    }

    // MARK: Vectors

    @Test func verifiesEveryEd25519Vector() throws {
        let key = try testKey().ed25519PublicKey()
        var verified = 0
        for file in vectorFiles {
            for vector in try vectors(file) where vector.isEd25519 {
                let result = try verifier.verify(vector.request(), now: vector.created) { signature in
                    signature.keyID == "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U" ? key : nil
                }
                #expect(result.label == vector.label)
                #expect(result.nonce == vector.nonce)
                if vector.signature_agent != nil {
                    #expect(result.coveredAgents.map(\.uri) == ["https://signature-agent.test"])
                    #expect(result.coveredAgents.first?.label == vector.signature_agent_key)
                }
                verified += 1
            }
        }
        #expect(verified == 4)
    }

    @Test func signatureBasesMatchTheReference() throws {
        let v2 = try vectors(vectorFiles[1])
        let key = try testKey().ed25519PublicKey()
        let first = try verifier.verify(v2[2].request(), now: v2[2].created) { _ in key }
        #expect(first.signatureBase == """
            "@authority": example.com
            "@signature-params": ("@authority");created=1735689600;keyid="poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";alg="ed25519";expires=4889289600;nonce="zIW8+cdmA3vdYagbxojpONwa/l0EKJ/O3/wD486VvsQjO/RxPaSt6ZxvQaMcQzNnqKN/mQ6hpGiFro2L2qkz5A==";tag="web-bot-auth"
            """)
        let second = try verifier.verify(v2[3].request(), now: v2[3].created) { _ in key }
        #expect(second.signatureBase == """
            "@authority": example.com
            "signature-agent";key="agent2": "https://signature-agent.test"
            "@signature-params": ("@authority" "signature-agent";key="agent2");created=1735689600;keyid="poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";alg="ed25519";expires=4889289600;nonce="n9p433xm+NJ3ph3upfBIGmsuwHw387YV7Q/F+6BSpGCVjYCqQw6rznNA8PVVLySrAWsv0hQtFioQb6E1YsauiA==";tag="web-bot-auth"
            """)
    }

    @Test func rejectsEveryEd25519VectorAfterAOneByteChange() throws {
        let key = try testKey().ed25519PublicKey()
        for file in vectorFiles {
            for vector in try vectors(file) where vector.isEd25519 {
                // Every byte of the signature itself.
                let signature = try #require(StructuredFieldParser.parseDictionary(vector.signature)[vector.label]?.item?.bareItem.byteSequenceValue)
                for offset in signature.indices {
                    var tampered = signature
                    tampered[offset] ^= 0x01
                    let header = try StructuredFieldSerializer.serialize([vector.label: .item(.init(.byteSequence(tampered)))] as StructuredFieldDictionary)
                    #expect(throws: WebBotAuthError.signatureMismatch) {
                        try verifier.verify(vector.request(signature: header), now: vector.created) { _ in key }
                    }
                }
                // Every byte of Signature-Input: each change alters the signed parameters or breaks the header.
                for offset in 0..<vector.signature_input.utf8.count {
                    let input = changingOneByte(of: vector.signature_input, at: offset)
                    #expect(throws: WebBotAuthError.self, "\(file) \(vector.label) input offset \(offset)") {
                        try verifier.verify(vector.request(signatureInput: input), now: vector.created) { _ in key }
                    }
                }
                // Every byte of Signature-Agent, when the vector has one.
                if let agent = vector.signature_agent {
                    for offset in 0..<agent.utf8.count {
                        let changed = changingOneByte(of: agent, at: offset)
                        #expect(throws: WebBotAuthError.self, "\(file) \(vector.label) agent offset \(offset)") {
                            try verifier.verify(vector.request(signatureAgent: changed), now: vector.created) { _ in key }
                        }
                    }
                }
                // One byte of the authority.
                var request = vector.request()
                request.authority = "examplf.com"
                #expect(throws: WebBotAuthError.signatureMismatch) {
                    try verifier.verify(request, now: vector.created) { _ in key }
                }
            }
        }
    }

    @Test func refusesRSAVectorsAsUnsupported() throws {
        for file in vectorFiles {
            for vector in try vectors(file) where !vector.isEd25519 {
                #expect(throws: WebBotAuthError.unsupportedAlgorithm("rsa-pss-sha512")) {
                    try verifier.signature(in: vector.request())
                }
            }
        }
    }

    @Test func legacyVectorsHaveExpired() throws {
        let key = try testKey().ed25519PublicKey()
        let vector = try vectors(vectorFiles[0])[2]
        let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        #expect(throws: WebBotAuthError.expired(expires: 1_735_693_200, now: 1_767_225_600)) {
            try verifier.verify(vector.request(), now: now) { _ in key }
        }
        #expect(throws: WebBotAuthError.notYetValid(created: 1_735_689_600, now: 1_735_689_599)) {
            try verifier.verify(vector.request(), now: Date(timeIntervalSince1970: 1_735_689_599)) { _ in key }
        }
        let lenient = WebBotAuthVerifier(clockSkew: 5)
        #expect(throws: Never.self) {
            try lenient.verify(vector.request(), now: Date(timeIntervalSince1970: 1_735_689_596)) { _ in key }
        }
    }

    @Test func resigningReproducesTheVectors() throws {
        let privateKey = try testKey().ed25519PrivateKey()
        for file in vectorFiles {
            for vector in try vectors(file) where vector.isEd25519 {
                var agent: SignatureAgent?
                if let header = vector.signature_agent { agent = try SignatureAgent.parse(header) }
                let signer = WebBotAuthSigner(privateKey: privateKey, signatureAgent: agent, label: vector.label)
                let unsigned = MessageSignatureRequestHead(url: vector.target_url)!
                let headers = try signer.sign(unsigned, created: vector.created, expires: vector.expires, nonce: vector.nonce)
                #expect(headers.signatureInput == vector.signature_input)
                #expect(headers.signatureAgent == vector.signature_agent)
                #if os(Linux)
                // BoringSSL's Ed25519 is deterministic (CryptoKit on Apple platforms randomizes signatures).
                #expect(headers.signature == vector.signature)
                #endif
                let signed = MessageSignatureRequestHead(url: vector.target_url, fields: headers.fields)!
                #expect(throws: Never.self) {
                    try verifier.verify(signed, now: vector.created) { _ in privateKey.publicKey }
                }
            }
        }
    }

    // MARK: Verifier rules

    private func signed(
        _ configure: (inout MessageSignatureRequestHead) -> Void = { _ in },
        agent: SignatureAgent? = nil, components: [SignatureComponent] = [], after: (inout MessageSignatureRequestHead) -> Void = { _ in }
    ) throws -> (MessageSignatureRequestHead, Curve25519.Signing.PrivateKey) {
        let key = Curve25519.Signing.PrivateKey()
        var request = MessageSignatureRequestHead(url: "https://Shop.Example:443/items?id=7")!
        configure(&request)
        let headers = try WebBotAuthSigner(privateKey: key, signatureAgent: agent)
            .sign(request, created: Date(timeIntervalSince1970: 1_000), additionalComponents: components)
        for field in headers.fields { request.setField(field.name, field.value) }
        after(&request)
        return (request, key)
    }

    @Test func signerCoversPriceHeadersAndAgent() throws {
        let agent = try SignatureAgent(entries: [SignatureAgentEntry(label: "sig1", uri: "https://crawler.example")])
        let (request, key) = try signed({ $0.addField("crawler-exact-price", "USD 0.01") }, agent: agent)
        let result = try verifier.verify(request, now: Date(timeIntervalSince1970: 1_030)) { signature in
            signature.keyID == JWKThumbprint.thumbprint(of: key.publicKey) ? key.publicKey : nil
        }
        #expect(result.signatureBase.hasPrefix("\"@authority\": shop.example\n\"signature-agent\";key=\"sig1\": \"https://crawler.example\"\n\"crawler-exact-price\": USD 0.01\n"))
        #expect(result.coveredAgents.map(\.uri) == ["https://crawler.example"])
        #expect(throws: WebBotAuthError.unknownKey(JWKThumbprint.thumbprint(of: key.publicKey))) {
            try verifier.verify(request, now: Date(timeIntervalSince1970: 1_030)) { _ in nil }
        }
        // The default validity is 60 s.
        #expect(throws: WebBotAuthError.expired(expires: 1_060, now: 1_061)) {
            try verifier.verify(request, now: Date(timeIntervalSince1970: 1_061)) { _ in key.publicKey }
        }
        var changedPrice = request
        changedPrice.setField("crawler-exact-price", "USD 0.02")
        #expect(throws: WebBotAuthError.signatureMismatch) {
            try verifier.verify(changedPrice, now: Date(timeIntervalSince1970: 1_030)) { _ in key.publicKey }
        }
    }

    @Test func derivedComponentsAreBuiltPerRFC9421() throws {
        var request = MessageSignatureRequestHead(method: "POST", scheme: "HTTPS", authority: "WWW.Example.com:8443", path: "", query: "a=1&b")
        request.addField("X-Multi", " one ")
        request.addField("x-multi", "two\t")
        request.addField("X-Dict", "a=1, b=(x y);p")
        func value(_ name: String, key: String? = nil) throws -> String {
            try SignatureBase.componentValue(SignatureComponent(name, key: key), request: request)
        }
        #expect(try value("@method") == "POST")
        #expect(try value("@scheme") == "https")
        #expect(try value("@authority") == "www.example.com:8443")
        #expect(try value("@target-uri") == "https://www.example.com:8443/?a=1&b")
        #expect(try value("@request-target") == "/?a=1&b")
        #expect(try value("@path") == "/")
        #expect(try value("@query") == "?a=1&b")
        #expect(try value("x-multi") == "one, two")
        #expect(try value("x-dict", key: "b") == "(x y);p")
        #expect(throws: WebBotAuthError.missingDictionaryMember(field: "x-dict", key: "c")) { try value("x-dict", key: "c") }
        #expect(throws: WebBotAuthError.missingComponent("x-absent")) { try value("x-absent") }
        #expect(throws: WebBotAuthError.unsupportedComponent("@status")) { try value("@status") }
        request.query = nil
        #expect(try value("@query") == "?")
        #expect(SignatureBase.normalizedAuthority("Example.COM:80", scheme: "http") == "example.com")
        #expect(SignatureBase.normalizedAuthority("[::1]:443", scheme: "https") == "[::1]")
        #expect(SignatureBase.normalizedAuthority("example.com:8080", scheme: "http") == "example.com:8080")
    }

    @Test func ruleTagMustBeWebBotAuth() throws {
        let (request, key) = try signed()
        var other = request
        let input = try #require(request.combinedHeaderValue(named: "signature-input"))
        other.setField("Signature-Input", input.replacingOccurrences(of: #"tag="web-bot-auth""#, with: #"tag="other""#))
        #expect(throws: WebBotAuthError.tagMismatch(found: "other")) {
            try verifier.verify(other, now: Date(timeIntervalSince1970: 1_000)) { _ in key.publicKey }
        }
        other.setField("Signature-Input", input.replacingOccurrences(of: #";tag="web-bot-auth""#, with: ""))
        #expect(throws: WebBotAuthError.tagMismatch(found: nil)) { try verifier.signature(in: other) }
    }

    @Test func ruleRequiredParameters() throws {
        let (request, _) = try signed()
        let input = try #require(request.combinedHeaderValue(named: "signature-input"))
        for (parameter, pattern) in [("keyid", #";keyid="[^"]*""#), ("created", ";created=[0-9]+"), ("expires", ";expires=[0-9]+")] {
            var changed = request
            changed.setField("Signature-Input", input.replacingOccurrences(of: pattern, with: "", options: .regularExpression))
            #expect(throws: WebBotAuthError.missingParameter(parameter)) { try verifier.signature(in: changed) }
        }
        var wrongType = request
        wrongType.setField("Signature-Input", input.replacingOccurrences(of: "created=1000", with: #"created="1000""#))
        #expect(throws: WebBotAuthError.self) { try verifier.signature(in: wrongType) }
        var backwards = request
        backwards.setField("Signature-Input", input.replacingOccurrences(of: "expires=1060", with: "expires=999"))
        #expect(throws: WebBotAuthError.invalidParameter("expires", reason: "not after created")) { try verifier.signature(in: backwards) }
        #expect(throws: WebBotAuthError.validityTooLong(seconds: 60, maximum: 30)) {
            try WebBotAuthVerifier(maximumValidity: 30).signature(in: request)
        }
    }

    @Test func ruleAuthorityMustBeCovered() throws {
        let (request, _) = try signed()
        var changed = request
        let input = try #require(request.combinedHeaderValue(named: "signature-input"))
        changed.setField("Signature-Input", input.replacingOccurrences(of: #"("@authority")"#, with: #"("@path")"#))
        #expect(throws: WebBotAuthError.authorityNotCovered) { try verifier.signature(in: changed) }
        changed.setField("Signature-Input", input.replacingOccurrences(of: #"("@authority")"#, with: #"("@target-uri")"#))
        #expect(throws: Never.self) { try verifier.signature(in: changed) }
    }

    @Test func ruleSignatureAgentMustBeCoveredWhenPresent() throws {
        let (request, key) = try signed(after: { $0.setField("Signature-Agent", #"sig1="https://late.example""#) })
        #expect(throws: WebBotAuthError.signatureAgentNotCovered) {
            try verifier.verify(request, now: Date(timeIntervalSince1970: 1_000)) { _ in key.publicKey }
        }
        let (insecure, _) = try signed(after: { $0.setField("Signature-Agent", #""http://late.example""#) })
        #expect(throws: WebBotAuthError.invalidSignatureAgent(#""http://late.example" is not an https URL"#)) {
            try verifier.signature(in: insecure)
        }
    }

    @Test func rulePriceHeadersMustBeCovered() throws {
        for header in ["crawler-exact-price", "crawler-max-price"] {
            let (request, _) = try signed(after: { $0.addField(header, "USD 0.05") })
            #expect(throws: WebBotAuthError.priceHeaderNotCovered(header)) { try verifier.signature(in: request) }
        }
    }

    @Test func structuralErrorsAreNamed() throws {
        let (request, _) = try signed()
        var missing = request
        missing.setField("Signature", nil)
        #expect(throws: WebBotAuthError.missingHeader("signature")) { try verifier.signature(in: missing) }
        missing.setField("Signature-Input", nil)
        #expect(throws: WebBotAuthError.missingHeader("signature-input")) { try verifier.signature(in: missing) }
        var wrongLabel = request
        wrongLabel.setField("Signature", "sig9=:AAAA:")
        #expect(throws: WebBotAuthError.missingSignature(label: "sig1")) { try verifier.signature(in: wrongLabel) }
        var short = request
        short.setField("Signature", "sig1=:AAAA:")
        #expect(throws: WebBotAuthError.malformedSignature(label: "sig1")) { try verifier.signature(in: short) }
        var garbage = request
        garbage.setField("Signature-Input", "sig1=(\"@authority\"")
        #expect(throws: WebBotAuthError.self) { try verifier.signature(in: garbage) }
        let input = try #require(request.combinedHeaderValue(named: "signature-input"))
        var unsupported = request
        unsupported.setField("Signature-Input", input.replacingOccurrences(of: #"("@authority")"#, with: #"("@authority" "x";sf)"#))
        #expect(throws: WebBotAuthError.unsupportedComponentParameter(component: "x", parameter: "sf")) { try verifier.signature(in: unsupported) }
        var duplicate = request
        duplicate.setField("Signature-Input", input.replacingOccurrences(of: #"("@authority")"#, with: #"("@authority" "@authority")"#))
        #expect(throws: WebBotAuthError.duplicateComponent(#""@authority""#)) {
            try verifier.verify(duplicate, now: Date(timeIntervalSince1970: 1_000)) { _ in Curve25519.Signing.PrivateKey().publicKey }
        }
    }

    @Test func picksTheWebBotAuthMemberAmongSeveral() throws {
        let (request, key) = try signed()
        var both = request
        let input = try #require(request.combinedHeaderValue(named: "signature-input"))
        let signature = try #require(request.combinedHeaderValue(named: "signature"))
        both.setField("Signature-Input", #"other=("@method");tag="something-else", "# + input)
        both.setField("Signature", "other=:AAAA:, " + signature)
        let result = try verifier.verify(both, now: Date(timeIntervalSince1970: 1_000)) { _ in key.publicKey }
        #expect(result.label == "sig1")
    }
}
