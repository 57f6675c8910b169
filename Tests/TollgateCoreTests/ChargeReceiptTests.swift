import Crypto
import Foundation
import Testing

@testable import TollgateCore

@Suite struct ChargeReceiptTests {
    static let receipt = ChargeReceipt(
        eventID: "agent-1:42", transactionID: UUID(), crawlerAccountID: UUID(), tenantID: UUID(), siteID: UUID(),
        url: "https://news.example/a?b=c", price: Money(micros: 10_000, currency: .usd),
        occurredAt: Date(timeIntervalSince1970: 1_790_000_000), postedAt: Date(timeIntervalSince1970: 1_790_000_005),
        issuer: "https://tollgate.example")

    @Test func signedReceiptsVerifyOfflineAndResistTampering() throws {
        let key = Curve25519.Signing.PrivateKey()
        let signer = ChargeReceiptSigner(key: key)
        let signed = try signer.sign(Self.receipt)
        #expect(signed.hasPrefix("tgr1."))
        let verifier = ChargeReceiptVerifier(keys: [signer.keyID: key.publicKey])
        #expect(try verifier.verify(signed) == Self.receipt)

        // Any single changed character is refused (malformed or a bad signature, never accepted).
        let bytes = Array(signed.utf8)
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var changed = bytes
            changed[index] = changed[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(throws: ChargeReceiptError.self) { try verifier.verify(String(decoding: changed, as: UTF8.self)) }
        }
        let stranger = ChargeReceiptVerifier(keys: [:])
        #expect(throws: ChargeReceiptError.unknownKeyID(signer.keyID)) { try stranger.verify(signed) }
        let otherKey = Curve25519.Signing.PrivateKey().publicKey
        #expect(throws: ChargeReceiptError.badSignature) { try ChargeReceiptVerifier(keys: [signer.keyID: otherKey]).verify(signed) }
        #expect(throws: ChargeReceiptError.malformed("prefix is not tgr1")) {
            try verifier.verify("tgc1" + signed.dropFirst(4))
        }
    }
}
