import Foundation
import Testing

@testable import TollgateGateways

/// The timestamped schemes (Stripe, Standard Webhooks) with an injected clock: exactly the tolerance either side
/// is accepted, one second more is not.
@Suite struct WebhookToleranceTests {
    @Test(arguments: [Vendor.stripe, Vendor.generic])
    func toleranceBoundaries(_ vendor: Vendor) async throws {
        let vector = try WebhookVectorCase.make(vendor)
        let signedAt: Double = vendor == .stripe ? 1_700_000_000 : 1_674_087_231
        for offset in [-300.0, -1, 0, 299.9, 300, 300.5] {
            #expect(try await vector.run(now: Date(timeIntervalSince1970: signedAt + offset)).events.count == 1, "offset \(offset)")
        }
        for offset in [-301.0, 301, 86_400, -86_400] {
            let now = Date(timeIntervalSince1970: signedAt + offset)
            await #expect(
                throws: WebhookVerificationError.timestampOutsideTolerance(
                    timestamp: Int64(signedAt), now: Int64(signedAt + offset), toleranceSeconds: 300),
                "offset \(offset)"
            ) {
                try await vector.run(now: now)
            }
        }
    }

    @Test func customToleranceIsHonoured() throws {
        let vector = try WebhookVectorCase.make(.stripe)
        let file = try WebhookVectorFile.load()
        let strict = try StripeWebhookVerifier(secret: file.stripe.secret, toleranceSeconds: 5)
        #expect(throws: WebhookVerificationError.timestampOutsideTolerance(timestamp: 1_700_000_000, now: 1_700_000_010, toleranceSeconds: 5)) {
            try strict.verify(headers: vector.headers, body: vector.body, url: nil, now: vector.now)
        }
        let generic = try WebhookVectorCase.make(.generic)
        let lenient = try StandardWebhooksVerifier(secret: file.generic.secret, toleranceSeconds: 3600)
        let verified = try lenient.verify(
            headers: generic.headers, body: generic.body, url: nil, now: Date(timeIntervalSince1970: 1_674_087_231 + 3000))
        #expect(verified.eventID == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")
    }

    @Test func aForgedRequestIsRefusedForItsSignatureNotItsAge() async throws {
        // With a bad signature and a stale timestamp, the signature error wins: nothing about timing is disclosed
        // to a sender who cannot sign.
        let vector = try WebhookVectorCase.make(.stripe)
        var body = vector.body
        body[0] ^= 1
        await #expect(throws: WebhookVerificationError.noMatchingSignature("none of the 1 v1 signature(s) matches the body and secret")) {
            try await vector.run(body: body, now: Date(timeIntervalSince1970: 1_800_000_000))
        }
    }

    @Test func malformedTimestampsAreNamed() async throws {
        let generic = try WebhookVectorCase.make(.generic)
        var headers = WebhookHeaders()
        for field in generic.headers.fields where field.name != "webhook-timestamp" {
            headers.append(name: field.name, value: field.value)
        }
        headers.append(name: "webhook-timestamp", value: "-5")
        await #expect(throws: WebhookVerificationError.malformedHeader(name: "webhook-timestamp", reason: "timestamp \"-5\" is not integer Unix seconds")) {
            try await generic.run(headers: headers)
        }
    }
}
