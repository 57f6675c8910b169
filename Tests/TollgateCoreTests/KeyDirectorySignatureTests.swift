import Crypto
import Foundation
import Testing
import TollgateCore

/// Response signatures on key directories (`"@authority";req`, tag `http-message-signatures-directory`).
@Suite struct KeyDirectorySignatureTests {
    let verifier = KeyDirectorySignatureVerifier()
    let created = Date(timeIntervalSince1970: 1_735_689_600)
    var now: Date { created.addingTimeInterval(10) }

    func testKey() throws -> Curve25519.Signing.PrivateKey {
        try SharedTestData.decode(JSONWebKey.self, from: "web-bot-auth-vectors/ed25519.json").ed25519PrivateKey()
    }

    func fetch(_ authority: String = "bot.example") -> MessageSignatureRequestHead {
        MessageSignatureRequestHead(url: "https://\(authority)\(KeyDirectory.wellKnownPath)")!
    }

    func signedResponse(
        _ signer: KeyDirectorySigner, authority: String = "bot.example", nonce: String = "bm9uY2U="
    ) throws -> MessageSignatureResponseHead {
        let headers = try signer.sign(responseTo: fetch(authority), created: created, nonce: nonce)
        return MessageSignatureResponseHead(status: 200, fields: headers.fields)
    }

    @Test func theReqFlagParsesAndSerializes() throws {
        let inputs = try SignatureInput.parse(#"binding0=("@authority";req);keyid="k";tag="http-message-signatures-directory""#)
        let component = try #require(inputs.first?.components.first)
        #expect(component == KeyDirectorySignatureVerifier.coveredAuthority)
        #expect(try component.identifier() == #""@authority";req"#)
        // `req` is a bare flag; a value is malformed.
        #expect(throws: WebBotAuthError.self) { try SignatureInput.parse(#"b=("@authority";req="yes");keyid="k""#) }
    }

    @Test func signsTheFetchAuthorityWithEveryKey() throws {
        let second = Curve25519.Signing.PrivateKey()
        let signer = KeyDirectorySigner(privateKeys: [try testKey(), second])
        let headers = try signer.sign(responseTo: fetch("Bot.Example:443"), created: created, nonce: "bm9uY2U=")
        #expect(headers.signatureInput.hasPrefix(#"binding0=("@authority";req);created=1735689600;keyid="poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";alg="ed25519";expires=1735689900;nonce="bm9uY2U=";tag="http-message-signatures-directory", binding1=("@authority";req)"#))
        let response = MessageSignatureResponseHead(status: 200, fields: headers.fields)
        // The default port and upper case do not change the covered authority.
        let result = try verifier.verify(signer.directory, response: response, request: fetch(), now: now)
        #expect(result.signedKeys.map(\.thumbprint) == ["poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U", JWKThumbprint.thumbprint(of: second.publicKey)])
        #expect(result.signedKeys.map(\.label) == ["binding0", "binding1"])
        #expect(result.ignoredKeys.isEmpty && result.failures.isEmpty)
    }

    @Test func keysWithoutTheirOwnSignatureAreIgnored() throws {
        let signer = KeyDirectorySigner(privateKeys: [try testKey()])
        var directory = signer.directory
        let stranger = Curve25519.Signing.PrivateKey().publicKey
        directory.keys.append(JSONWebKey(ed25519PublicKey: stranger))
        directory.keys.append(JSONWebKey(kty: "RSA", n: "0vx7", e: "AQAB"))
        let result = try verifier.verify(directory, response: try signedResponse(signer), request: fetch(), now: now)
        #expect(result.signedKeys.map(\.index) == [0])
        #expect(result.ignoredKeys.map(\.index) == [1, 2])
        #expect(result.ignoredKeys[0].thumbprint == JWKThumbprint.thumbprint(of: stranger))
        #expect(result.ignoredKeys[0].reason == "no valid signature by this key")
        #expect(result.ignoredKeys[1].reason == "not an Ed25519 key")
    }

    @Test func anotherAuthorityDoesNotVerify() throws {
        let signer = KeyDirectorySigner(privateKeys: [try testKey()])
        // Signed for a different host: a response replayed from elsewhere proves nothing.
        let response = try signedResponse(signer, authority: "evil.example")
        #expect(throws: KeyDirectorySignatureError.noValidSignature(["binding0: signature does not verify"])) {
            try verifier.verify(signer.directory, response: response, request: fetch(), now: now)
        }
    }

    @Test func aSignatureByAKeyOutsideTheDirectoryDoesNotCount() throws {
        let outsider = KeyDirectorySigner(privateKeys: [Curve25519.Signing.PrivateKey()])
        let listed = KeyDirectorySigner(privateKeys: [try testKey()])
        let response = try signedResponse(outsider)
        let keyID = JWKThumbprint.thumbprint(of: outsider.privateKeys[0].publicKey)
        #expect(throws: KeyDirectorySignatureError.noValidSignature(["binding0: no public key is known for keyid \"\(keyID)\""])) {
            try verifier.verify(listed.directory, response: response, request: fetch(), now: now)
        }
    }

    @Test func timeAndShapeRules() throws {
        let signer = KeyDirectorySigner(privateKeys: [try testKey()])
        let response = try signedResponse(signer)
        #expect(throws: KeyDirectorySignatureError.noValidSignature(["binding0: rule expires: expires=1735689900 is before now=1735700000"])) {
            try verifier.verify(signer.directory, response: response, request: fetch(), now: Date(timeIntervalSince1970: 1_735_700_000))
        }
        #expect(throws: KeyDirectorySignatureError.unsigned("the response has no Signature-Input header")) {
            try verifier.verify(signer.directory, response: MessageSignatureResponseHead(status: 200), request: fetch(), now: now)
        }
        let input = try #require(response.combinedHeaderValue(named: "signature-input"))
        let signature = try #require(response.combinedHeaderValue(named: "signature"))
        let webBotAuth = MessageSignatureResponseHead(status: 200, fields: [
            .init("Signature-Input", input.replacingOccurrences(of: "http-message-signatures-directory", with: "web-bot-auth")),
            .init("Signature", signature),
        ])
        #expect(throws: KeyDirectorySignatureError.unsigned(#"no Signature-Input member has tag="http-message-signatures-directory""#)) {
            try verifier.verify(signer.directory, response: webBotAuth, request: fetch(), now: now)
        }
        // Covering the response's own authority (no `;req`) is not what the draft asks for.
        let withoutReq = MessageSignatureResponseHead(status: 200, fields: [
            .init("Signature-Input", input.replacingOccurrences(of: #"("@authority";req)"#, with: #"("@status")"#)),
            .init("Signature", signature),
        ])
        #expect(throws: KeyDirectorySignatureError.noValidSignature([
            #"binding0: rule coverage: the signature must cover "@authority" (or "@target-uri")"#
        ])) {
            try verifier.verify(signer.directory, response: withoutReq, request: fetch(), now: now)
        }
        let garbled = MessageSignatureResponseHead(status: 200, fields: [.init("Signature-Input", "binding0=("), .init("Signature", signature)])
        #expect(throws: KeyDirectorySignatureError.self) { try verifier.verify(signer.directory, response: garbled, request: fetch(), now: now) }
    }

    @Test func requestSignaturesStillRefuseReq() throws {
        let key = try testKey()
        var request = MessageSignatureRequestHead(url: "https://example.com/a")!
        let headers = try WebBotAuthSigner(privateKey: key).sign(request, created: created)
        let input = headers.signatureInput.replacingOccurrences(of: #"("@authority")"#, with: #"("@authority";req)"#)
        request.setField("Signature-Input", input)
        request.setField("Signature", headers.signature)
        #expect(throws: WebBotAuthError.unsupportedComponentParameter(component: "@authority", parameter: "req")) {
            try WebBotAuthVerifier().verify(request, now: now) { _ in key.publicKey }
        }
    }

    @Test func validityPeriodsComeFromNbfAndExp() throws {
        let body = Array(#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs","nbf":1712793600,"exp":1715385600},{"kty":"OKP"}]}"#.utf8)
        let periods = try JWKValidityPeriod.ofDirectory(body)
        #expect(periods == [
            JWKValidityPeriod(notBefore: Date(timeIntervalSince1970: 1_712_793_600), expires: Date(timeIntervalSince1970: 1_715_385_600)),
            JWKValidityPeriod(),
        ])
        #expect(periods[0].contains(Date(timeIntervalSince1970: 1_713_000_000)))
        #expect(!periods[0].contains(Date(timeIntervalSince1970: 1_715_385_600)))
        #expect(!periods[0].contains(Date(timeIntervalSince1970: 1_700_000_000)))
        #expect(throws: KeyDirectoryError.self) { try JWKValidityPeriod.ofDirectory(Array(#"{"keys":[{"exp":"soon"}]}"#.utf8)) }
        // Beyond what a timestamp column holds.
        #expect(throws: KeyDirectoryError.self) { try JWKValidityPeriod.ofDirectory(Array(#"{"keys":[{"exp":1e300}]}"#.utf8)) }
        #expect(throws: KeyDirectoryError.self) { try JWKValidityPeriod.ofDirectory(Array(#"{"keys":[{"nbf":-1}]}"#.utf8)) }
    }
}
