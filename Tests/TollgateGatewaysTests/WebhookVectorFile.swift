import Testing
import Crypto
import Foundation
import TollgateCore

@testable import TollgateGateways

/// `<repo root>/../shared/data/webhook-vectors/webhook_vectors.json`, found relative to this file so the tests run
/// from any working directory (in CI `shared` is a symlink at the same relative place).
enum WebhookVectorFile {
    static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // …/Tests/TollgateGatewaysTests
        .deletingLastPathComponent()  // …/Tests
        .deletingLastPathComponent()  // the repository root
        .appendingPathComponent("../shared/data/webhook-vectors/webhook_vectors.json")
        .standardizedFileURL

    struct Stripe: Decodable {
        let secret, body, header_name, header: String
        let now, tolerance_s: Int64
    }
    struct Square: Decodable { let signature_key, notification_url, body, header_name, header: String }
    struct Braintree: Decodable { let public_key, private_key, bt_payload, bt_signature: String }
    struct PayPal: Decodable {
        let transmission_id, transmission_time, webhook_id, body, signed_string: String
        let crc32: UInt32
        let headers: [String]
    }
    struct AuthorizeNet: Decodable { let signature_key, body, header_name, header: String }
    struct Generic: Decodable {
        let secret, body: String
        let headers: [String: String]
    }
    struct Adyen: Decodable { let hmac_key_hex, signing_string: String }
    struct File: Decodable {
        let stripe: Stripe
        let square: Square
        let braintree: Braintree
        let paypal: PayPal
        let authorizenet: AuthorizeNet
        let generic: Generic
        let adyen: Adyen
    }

    static func load() throws -> File {
        try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    /// The Adyen notification is given as a JSON object, not a string; serialise it once, deterministically.
    static func adyenNotificationObject() throws -> [String: Any] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let adyen = root?["adyen"] as? [String: Any]
        guard let notification = adyen?["notification"] as? [String: Any] else {
            throw VectorError.missing("adyen.notification")
        }
        return notification
    }

    static func serialise(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    enum VectorError: Error { case missing(String) }
}

/// Test-only stand-in for PayPal's RSA step: the vectors give only the signed string (no certificate or
/// signature), so the tests "sign" it with HMAC-SHA256 and check that the verifier hands the checker exactly the
/// vector's signed string. The real RSA/X.509 checker (``PayPalCertificateChecker``) is tested against the PayPal fake.
struct StandInPayPalChecker: PayPalTransmissionSignatureChecker {
    static let key = SymmetricKey(data: Array("paypal-stand-in-signing-key".utf8))

    static func sign(_ message: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key)).base64EncodedString()
    }

    func isValidSignature(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL, now: Date)
        async -> Bool
    {
        HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: message, using: Self.key)
    }
}

enum Vendor: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case stripe, square, adyen, braintree, authorizenet, paypal, generic
    var testDescription: String { rawValue }
}

/// One vector turned into a verifier call, plus where its signature sits and which body bytes are signed.
struct WebhookVectorCase {
    enum SignatureLocation {
        case header(name: String, range: Range<Int>)
        case body(range: Range<Int>)
    }

    let verifier: any WebhookVerifier
    let headers: WebhookHeaders
    let body: [UInt8]
    let url: String?
    let now: Date
    let expectedEventIDs: [String]
    let expectedEventTypes: [String]
    let signature: SignatureLocation
    /// Body positions covered by the signature (all of them except for Adyen, which signs eight fields).
    let signedBodyPositions: [Int]

    static let payPalCertificateURL = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270"

    func run(headers: WebhookHeaders? = nil, body: [UInt8]? = nil, now: Date? = nil) async throws(WebhookVerificationError)
        -> VerifiedWebhook
    {
        try await verifier.verify(headers: headers ?? self.headers, body: body ?? self.body, url: url, now: now ?? self.now)
    }

    static func make(_ vendor: Vendor) throws -> WebhookVectorCase {
        let file = try WebhookVectorFile.load()
        switch vendor {
        case .stripe:
            let v = file.stripe
            let start = try offset(of: "v1=", in: v.header) + 3
            return WebhookVectorCase(
                verifier: try StripeWebhookVerifier(secret: v.secret, toleranceSeconds: v.tolerance_s),
                headers: [v.header_name: v.header], body: Array(v.body.utf8), url: nil,
                now: Date(timeIntervalSince1970: Double(v.now)),
                expectedEventIDs: ["evt_1"], expectedEventTypes: ["payment_intent.succeeded"],
                signature: .header(name: v.header_name, range: start..<v.header.utf8.count),
                signedBodyPositions: Array(0..<v.body.utf8.count)
            )
        case .square:
            let v = file.square
            return WebhookVectorCase(
                verifier: try SquareWebhookVerifier(signatureKey: v.signature_key),
                headers: [v.header_name: v.header], body: Array(v.body.utf8), url: v.notification_url, now: Date(),
                expectedEventIDs: ["e1"], expectedEventTypes: ["payment.updated"],
                signature: .header(name: v.header_name, range: 0..<v.header.utf8.count),
                signedBodyPositions: Array(0..<v.body.utf8.count)
            )
        case .adyen:
            let v = file.adyen
            let body = try WebhookVectorFile.serialise(try WebhookVectorFile.adyenNotificationObject())
            let text = String(decoding: body, as: UTF8.self)
            var signed: [Int] = []
            for field in ["pspReference", "merchantAccountCode", "merchantReference", "value", "currency", "eventCode", "success"] {
                signed += Array(try valueRange(of: field, in: text))
            }
            return WebhookVectorCase(
                verifier: try AdyenWebhookVerifier(hmacKeyHex: v.hmac_key_hex),
                headers: [:], body: body, url: nil, now: Date(),
                expectedEventIDs: ["7914073381342284:AUTHORISATION"], expectedEventTypes: ["AUTHORISATION"],
                signature: .body(range: try valueRange(of: "hmacSignature", in: text)),
                signedBodyPositions: signed
            )
        case .braintree:
            let v = file.braintree
            let body = "bt_signature=\(formEncode(v.bt_signature))&bt_payload=\(formEncode(v.bt_payload))"
            let start = try offset(of: "%7C", in: body) + 3
            let end = try offset(of: "&bt_payload", in: body)
            return WebhookVectorCase(
                verifier: try BraintreeWebhookVerifier(publicKey: v.public_key, privateKey: v.private_key),
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(body.utf8), url: nil,
                now: Date(),
                expectedEventIDs: ["check|2026-01-01T00:00:00Z|"], expectedEventTypes: ["check"],
                signature: .body(range: start..<end),
                signedBodyPositions: Array(0..<body.utf8.count)
            )
        case .authorizenet:
            let v = file.authorizenet
            return WebhookVectorCase(
                verifier: try AuthorizeNetWebhookVerifier(signatureKey: v.signature_key),
                headers: [v.header_name: v.header], body: Array(v.body.utf8), url: nil, now: Date(),
                expectedEventIDs: ["d0e8e7fe-c3e7-4add-a480-27bc5ce28934"],
                expectedEventTypes: ["net.authorize.payment.authcapture.created"],
                signature: .header(name: v.header_name, range: "sha512=".count..<v.header.utf8.count),
                signedBodyPositions: Array(0..<v.body.utf8.count)
            )
        case .paypal:
            let v = file.paypal
            let signature = StandInPayPalChecker.sign(v.signed_string)
            let values = [v.transmission_id, v.transmission_time, signature, payPalCertificateURL, "SHA256withRSA"]
            return WebhookVectorCase(
                verifier: try PayPalWebhookVerifier(webhookID: v.webhook_id, checker: StandInPayPalChecker()),
                headers: WebhookHeaders(Array(zip(v.headers, values)).map { (name: $0.0, value: $0.1) }),
                body: Array(v.body.utf8), url: nil, now: Date(),
                expectedEventIDs: ["WH-1"], expectedEventTypes: ["PAYMENT.CAPTURE.COMPLETED"],
                signature: .header(name: "PAYPAL-TRANSMISSION-SIG", range: 0..<signature.utf8.count),
                signedBodyPositions: Array(0..<v.body.utf8.count)
            )
        case .generic:
            let v = file.generic
            let header = try #require(v.headers["webhook-signature"])
            let timestamp = try #require(v.headers["webhook-timestamp"].flatMap { Double($0) })
            return WebhookVectorCase(
                verifier: try StandardWebhooksVerifier(secret: v.secret),
                headers: WebhookHeaders(v.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }),
                body: Array(v.body.utf8), url: nil, now: Date(timeIntervalSince1970: timestamp + 10),
                expectedEventIDs: ["msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"], expectedEventTypes: ["charge.succeeded"],
                signature: .header(name: "webhook-signature", range: 3..<header.utf8.count),
                signedBodyPositions: Array(0..<v.body.utf8.count)
            )
        }
    }

    /// The same delivery with one signature character replaced by another character of the same alphabet
    /// ("0" ↔ "1" keeps hex and base64 well formed, and differs in value even for case-insensitive hex).
    func withSignatureCharacterChanged(at position: Int) -> (WebhookHeaders, [UInt8]) {
        func replace(_ bytes: [UInt8], _ index: Int) -> [UInt8] {
            var copy = bytes
            copy[index] = copy[index] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            return copy
        }
        switch signature {
        case .header(let name, _):
            var tampered = WebhookHeaders()
            for field in headers.fields {
                let value = field.name == name ? String(decoding: replace(Array(field.value.utf8), position), as: UTF8.self) : field.value
                tampered.append(name: field.name, value: value)
            }
            return (tampered, body)
        case .body:
            return (headers, replace(body, position))
        }
    }

    var signaturePositions: Range<Int> {
        switch signature {
        case .header(_, let range), .body(let range): range
        }
    }

    private static func offset(of needle: String, in text: String) throws -> Int {
        let range = try #require(text.range(of: needle))
        return text.utf8.distance(from: text.startIndex, to: range.lowerBound)
    }

    /// Byte range of a field's value (inside the quotes for strings) in compact JSON.
    private static func valueRange(of key: String, in json: String) throws -> Range<Int> {
        let start = try offset(of: "\"\(key)\":", in: json) + key.utf8.count + 3
        let bytes = Array(json.utf8)
        if bytes[start] == UInt8(ascii: "\"") {
            let end = try #require(bytes[(start + 1)...].firstIndex(of: UInt8(ascii: "\"")))
            return (start + 1)..<end
        }
        let end = try #require(bytes[start...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") })
        return start..<end
    }

    static func formEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
