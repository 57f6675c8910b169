import Foundation
import Testing
import TollgateCore

@testable import TollgateGateways

/// Every golden vector in shared/data/webhook-vectors must verify, and any single-byte change to a signed body
/// byte or a single-character change to the signature must be rejected.
@Suite struct WebhookVectorTests {
    @Test(arguments: Vendor.allCases)
    func vectorVerifies(_ vendor: Vendor) async throws {
        let vector = try WebhookVectorCase.make(vendor)
        let verified = try await vector.run()
        #expect(verified.events.map(\.eventID) == vector.expectedEventIDs)
        #expect(verified.events.map(\.eventType) == vector.expectedEventTypes)
    }

    @Test(arguments: Vendor.allCases)
    func everySignedBodyByteIsProtected(_ vendor: Vendor) async throws {
        let vector = try WebhookVectorCase.make(vendor)
        #expect(!vector.signedBodyPositions.isEmpty)
        for position in vector.signedBodyPositions {
            var tampered = vector.body
            tampered[position] ^= 0x01
            let error = await #expect(throws: WebhookVerificationError.self, "body byte \(position) changed") {
                try await vector.run(body: tampered)
            }
            // Where the whole body is signed, the HMAC itself must be what catches the change.
            if vendor != .adyen && vendor != .braintree, let error {
                #expect(error.isSignatureMismatch, "body byte \(position): \(error)")
            }
        }
    }

    @Test(arguments: Vendor.allCases)
    func everySignatureCharacterIsProtected(_ vendor: Vendor) async throws {
        let vector = try WebhookVectorCase.make(vendor)
        #expect(!vector.signaturePositions.isEmpty)
        for position in vector.signaturePositions {
            let (headers, body) = vector.withSignatureCharacterChanged(at: position)
            let error = await #expect(throws: WebhookVerificationError.self, "signature character \(position) changed") {
                try await vector.run(headers: headers, body: body)
            }
            if let error {
                #expect(error.isSignatureMismatch || error.isMalformedHeader, "signature character \(position): \(error)")
            }
        }
    }

    @Test(arguments: Vendor.allCases)
    func occurredAtIsReadWhenThePayloadHasIt(_ vendor: Vendor) async throws {
        let verified = try await WebhookVectorCase.make(vendor).run()
        let expected: Date? =
            switch vendor {
            case .adyen: Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T01:00:00+01:00
            case .braintree, .authorizenet: Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
            case .stripe, .square, .paypal, .generic: nil  // these vector bodies carry no event time
            }
        #expect(verified.occurredAt == expected)
    }
}

/// The negative cases shared/data/README.md asks for, beyond tampering.
@Suite struct WebhookVectorNegativeTests {
    let file: WebhookVectorFile.File

    init() throws {
        file = try WebhookVectorFile.load()
    }

    @Test func stripeWrongSecretFails() throws {
        let vector = try WebhookVectorCase.make(.stripe)
        let verifier = try StripeWebhookVerifier(secret: "whsec_another_secret")
        #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(headers: vector.headers, body: vector.body, url: nil, now: vector.now)
        }
    }

    @Test func stripeAcceptsAnyOfSeveralV1AndIgnoresV0() async throws {
        let vector = try WebhookVectorCase.make(.stripe)
        let good = String(file.stripe.header.split(separator: "v1=")[1])
        let header = "t=1700000000,v0=\(good),v1=\(String(repeating: "0", count: 64)),v1=\(good),v9=whatever"
        let verified = try await vector.run(headers: ["stripe-signature": header])
        #expect(verified.eventID == "evt_1")
        // A matching signature under v0 alone is not accepted.
        await #expect(throws: WebhookVerificationError.noMatchingSignature("Stripe-Signature has no v1 signature")) {
            try await vector.run(headers: ["Stripe-Signature": "t=1700000000,v0=\(good)"])
        }
    }

    @Test func squareURLMustBeByteIdentical() throws {
        let vector = try WebhookVectorCase.make(.square)
        let verifier = try SquareWebhookVerifier(signatureKey: file.square.signature_key)
        for url in [file.square.notification_url + "/", file.square.notification_url.replacingOccurrences(of: "https", with: "http")] {
            #expect(throws: WebhookVerificationError.self, "\(url)") {
                try verifier.verify(headers: vector.headers, body: vector.body, url: url, now: Date())
            }
        }
        #expect(throws: WebhookVerificationError.missingNotificationURL) {
            try verifier.verify(headers: vector.headers, body: vector.body, url: nil, now: Date())
        }
        // The configured subscription URL wins over whatever URL the request arrived on (e.g. behind a proxy).
        let configured = try SquareWebhookVerifier(
            signatureKey: file.square.signature_key, notificationURL: file.square.notification_url)
        let verified = try configured.verify(
            headers: vector.headers, body: vector.body, url: "http://10.0.0.5:8080/webhooks/square", now: Date())
        #expect(verified.eventID == "e1")
    }

    @Test func squareWrongKeyFails() throws {
        let vector = try WebhookVectorCase.make(.square)
        let verifier = try SquareWebhookVerifier(signatureKey: "sq0wss-other")
        #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(headers: vector.headers, body: vector.body, url: vector.url, now: Date())
        }
    }

    @Test func adyenSigningStringMatchesTheVector() throws {
        let notification = try WebhookVectorFile.adyenNotificationObject()
        let items = try #require(notification["notificationItems"] as? [[String: Any]])
        let item = try #require(items.first?["NotificationRequestItem"] as? [String: Any])
        #expect(try AdyenWebhookVerifier.signingString(WebhookJSON(object: item), index: 0) == file.adyen.signing_string)
    }

    @Test func adyenSuccessFalseAndWrongKeyFail() throws {
        var notification = try WebhookVectorFile.adyenNotificationObject()
        var items = try #require(notification["notificationItems"] as? [[String: Any]])
        var item = try #require(items[0]["NotificationRequestItem"] as? [String: Any])
        item["success"] = "false"
        items[0]["NotificationRequestItem"] = item
        notification["notificationItems"] = items
        let verifier = try AdyenWebhookVerifier(hmacKeyHex: file.adyen.hmac_key_hex)
        #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(headers: [:], body: WebhookVectorFile.serialise(notification), url: nil, now: Date())
        }
        let vector = try WebhookVectorCase.make(.adyen)
        let otherKey = try AdyenWebhookVerifier(hmacKeyHex: String(repeating: "AB", count: 32))
        #expect(throws: WebhookVerificationError.self) {
            try otherKey.verify(headers: [:], body: vector.body, url: nil, now: Date())
        }
    }

    @Test func adyenVerifiesEveryItemOfABatch() throws {
        var notification = try WebhookVectorFile.adyenNotificationObject()
        let items = try #require(notification["notificationItems"] as? [[String: Any]])
        let verifier = try AdyenWebhookVerifier(hmacKeyHex: file.adyen.hmac_key_hex)

        notification["notificationItems"] = items + items
        let twice = try verifier.verify(headers: [:], body: WebhookVectorFile.serialise(notification), url: nil, now: Date())
        #expect(twice.events.count == 2)

        // A forged second item must sink the whole delivery, not just be skipped.
        var forged = try #require(items[0]["NotificationRequestItem"] as? [String: Any])
        forged["pspReference"] = "0000000000000000"
        notification["notificationItems"] = items + [["NotificationRequestItem": forged]]
        #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(headers: [:], body: WebhookVectorFile.serialise(notification), url: nil, now: Date())
        }

        // An item without a signature is reported as such.
        var unsigned = forged
        unsigned["additionalData"] = [String: Any]()
        notification["notificationItems"] = [["NotificationRequestItem": unsigned]]
        #expect(throws: WebhookVerificationError.missingSignature("notificationItems[0] has no additionalData.hmacSignature")) {
            try verifier.verify(headers: [:], body: WebhookVectorFile.serialise(notification), url: nil, now: Date())
        }
    }

    @Test func braintreePicksOurPairAndRejectsAnotherKeysPair() throws {
        let v = file.braintree
        let verifier = try BraintreeWebhookVerifier(publicKey: v.public_key, privateKey: v.private_key)
        let hex = String(v.bt_signature.split(separator: "|")[1])
        // Several pairs joined by "&": ours is found among them.
        let verified = try verifier.verify(signature: "other_key|\(String(repeating: "0", count: 40))&\(v.bt_signature)", payload: v.bt_payload)
        #expect(verified.eventType == "check")
        // Our signature presented under another public key is not ours.
        #expect(throws: WebhookVerificationError.noMatchingSignature("bt_signature has no pair for public key pub_test_key")) {
            try verifier.verify(signature: "other_key|\(hex)", payload: v.bt_payload)
        }
        let wrongPrivate = try BraintreeWebhookVerifier(publicKey: v.public_key, privateKey: "priv_other")
        #expect(throws: WebhookVerificationError.self) {
            try wrongPrivate.verify(signature: v.bt_signature, payload: v.bt_payload)
        }
    }

    @Test func braintreeAcceptsTheSDKsTrailingNewlineVariant() throws {
        let v = file.braintree
        let verifier = try BraintreeWebhookVerifier(publicKey: v.public_key, privateKey: v.private_key)
        // The vector signs a payload ending in "\n"; the same signature must hold when the newline was stripped.
        #expect(v.bt_payload.hasSuffix("\n"))
        let verified = try verifier.verify(signature: v.bt_signature, payload: String(v.bt_payload.dropLast()))
        #expect(verified.eventType == "check")
    }

    @Test func braintreeFormBodyErrors() throws {
        let v = file.braintree
        let verifier = try BraintreeWebhookVerifier(publicKey: v.public_key, privateKey: v.private_key)
        #expect(throws: WebhookVerificationError.missingSignature("form field bt_signature is missing")) {
            try verifier.verify(headers: [:], body: Array("bt_payload=abc".utf8), url: nil, now: Date())
        }
        // An unescaped "+" decodes to a space, which Braintree's alphabet forbids.
        #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(signature: v.bt_signature, payload: v.bt_payload.replacingOccurrences(of: "Z", with: " "))
        }
    }

    @Test func authorizeNetComparesCaseInsensitivelyAndRejectsWrongKey() async throws {
        let vector = try WebhookVectorCase.make(.authorizenet)
        let lower = "sha512=" + file.authorizenet.header.dropFirst("sha512=".count).lowercased()
        #expect(try await vector.run(headers: ["x-anet-signature": lower]).eventID == "d0e8e7fe-c3e7-4add-a480-27bc5ce28934")
        let otherKey = try AuthorizeNetWebhookVerifier(signatureKey: String(repeating: "F", count: 128))
        #expect(throws: WebhookVerificationError.self) {
            try otherKey.verify(headers: vector.headers, body: vector.body, url: nil, now: Date())
        }
        await #expect(throws: WebhookVerificationError.malformedHeader(name: "X-ANET-Signature", reason: "does not start with \"sha512=\"")) {
            try await vector.run(headers: ["X-ANET-Signature": String(file.authorizenet.header.dropFirst(7))])
        }
    }

    @Test func payPalSignedStringAndCRCMatchTheVector() throws {
        let v = file.paypal
        let body = Array(v.body.utf8)
        #expect(PayPalWebhookVerifier.crc32(body) == v.crc32)
        #expect(PayPalCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)  // the CRC-32 check value
        let message = PayPalWebhookVerifier.signedMessage(
            transmissionID: v.transmission_id, transmissionTime: v.transmission_time, webhookID: v.webhook_id, body: body)
        #expect(message == v.signed_string)
    }

    @Test func payPalRejectsWrongWebhookIDAndUntrustedCertificateURLs() async throws {
        let vector = try WebhookVectorCase.make(.paypal)
        let otherSubscription = try PayPalWebhookVerifier(webhookID: "OTHER", checker: StandInPayPalChecker())
        await #expect(throws: WebhookVerificationError.self) {
            try await otherSubscription.verify(headers: vector.headers, body: vector.body, url: nil, now: Date())
        }
        for url in ["http://api.paypal.com/cert", "https://paypal.com.evil.example/cert", "https://evilpaypal.com/cert"] {
            var headers = WebhookHeaders()
            for field in vector.headers.fields where field.name != "PAYPAL-CERT-URL" {
                headers.append(name: field.name, value: field.value)
            }
            headers.append(name: "paypal-cert-url", value: url)
            await #expect(throws: WebhookVerificationError.untrustedCertificateURL(url)) {
                try await vector.run(headers: headers)
            }
        }
    }

    @Test func standardWebhooksAcceptsRotatedSignaturesAndRejectsWrongSecret() async throws {
        let vector = try WebhookVectorCase.make(.generic)
        let good = try #require(file.generic.headers["webhook-signature"])
        var headers = WebhookHeaders()
        for field in vector.headers.fields where field.name != "webhook-signature" {
            headers.append(name: field.name.uppercased(), value: field.value)
        }
        headers.append(name: "Webhook-Signature", value: "v1a,AAAA v1,\(String(repeating: "A", count: 43))= \(good)")
        #expect(try await vector.run(headers: headers).eventID == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")

        let other = try StandardWebhooksVerifier(secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        #expect(throws: WebhookVerificationError.self) {
            try other.verify(headers: vector.headers, body: vector.body, url: nil, now: vector.now)
        }
    }

    @Test func missingAndRepeatedHeadersAreNamed() async throws {
        let stripe = try WebhookVectorCase.make(.stripe)
        await #expect(throws: WebhookVerificationError.missingHeader("Stripe-Signature")) { try await stripe.run(headers: [:]) }
        var twice = stripe.headers
        twice.append(name: "stripe-signature", value: file.stripe.header)
        await #expect(throws: WebhookVerificationError.malformedHeader(name: "Stripe-Signature", reason: "sent 2 times, expected once")) {
            try await stripe.run(headers: twice)
        }
        await #expect(throws: WebhookVerificationError.malformedHeader(name: "Stripe-Signature", reason: "no t= timestamp")) {
            try await stripe.run(headers: ["Stripe-Signature": "v1=abc"])
        }
        let generic = try WebhookVectorCase.make(.generic)
        await #expect(throws: WebhookVerificationError.missingHeader("webhook-id")) {
            try await generic.run(headers: ["webhook-timestamp": "1674087231", "webhook-signature": "v1,x"])
        }
        await #expect(throws: WebhookVerificationError.missingHeader("x-square-hmacsha256-signature")) {
            try await WebhookVectorCase.make(.square).run(headers: ["x-square-signature": "legacy"])
        }
        await #expect(throws: WebhookVerificationError.missingHeader("PAYPAL-TRANSMISSION-ID")) {
            try await WebhookVectorCase.make(.paypal).run(headers: [:])
        }
    }

    @Test func badSecretFormatsAreRejected() {
        #expect(throws: WebhookVerificationError.self) { try StripeWebhookVerifier(secret: "sk_test_123") }
        #expect(throws: WebhookVerificationError.self) { try StandardWebhooksVerifier(secret: "whsec_not base64!") }
        #expect(throws: WebhookVerificationError.self) {
            try StandardWebhooksVerifier(secret: "whsec_" + Data(repeating: 1, count: 16).base64EncodedString())
        }
        #expect(throws: WebhookVerificationError.self) { try AdyenWebhookVerifier(hmacKeyHex: "XYZ") }
        #expect(throws: WebhookVerificationError.self) { try AdyenWebhookVerifier(hmacKeyHex: "ABC") }
        #expect(throws: WebhookVerificationError.self) { try AuthorizeNetWebhookVerifier(signatureKey: "short") }
        #expect(throws: WebhookVerificationError.self) { try SquareWebhookVerifier(signatureKey: "") }
        #expect(throws: WebhookVerificationError.self) { try BraintreeWebhookVerifier(publicKey: "a|b", privateKey: "p") }
        #expect(throws: WebhookVerificationError.self) {
            try PayPalWebhookVerifier(webhookID: "", checker: StandInPayPalChecker())
        }
    }

    @Test func errorsDescribeTheProblem() {
        let error = WebhookVerificationError.timestampOutsideTolerance(timestamp: 100, now: 500, toleranceSeconds: 300)
        #expect(error.description == "timestamp 100 is 400 s from now (500), outside the tolerance of 300 s")
        #expect(WebhookVerificationError.missingHeader("webhook-id").description == "missing header webhook-id")
    }
}

extension WebhookVerificationError {
    var isSignatureMismatch: Bool {
        if case .noMatchingSignature = self { true } else { false }
    }

    var isMalformedHeader: Bool {
        if case .malformedHeader = self { true } else { false }
    }
}
