import Crypto
import Foundation

/// Signs receipts with an Ed25519 key whose id is its RFC 7638 thumbprint.
public struct ChargeReceiptSigner: Sendable {
    public let keyID: String
    let key: Curve25519.Signing.PrivateKey

    public init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
        keyID = JWKThumbprint.thumbprint(of: key.publicKey)
    }

    public func sign(_ receipt: ChargeReceipt) throws(ChargeReceiptError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let payload = try encoder.encode(ChargeReceiptPayload(keyID: keyID, receipt: receipt))
            return try CompactSigned.seal(prefix: ChargeReceipt.prefix, payload: payload, key: key)
        } catch {
            throw .signingFailed("\(error)")
        }
    }
}

/// Verifies receipts offline against the issuer's published keys (a JWKS / key directory).
public struct ChargeReceiptVerifier: Sendable {
    let keys: [String: Curve25519.Signing.PublicKey]

    public init(keys: [String: Curve25519.Signing.PublicKey]) {
        self.keys = keys
    }

    public init(directory: KeyDirectory) {
        keys = directory.ed25519KeysByThumbprint()
    }

    public func verify(_ value: String) throws(ChargeReceiptError) -> ChargeReceipt {
        let parts: CompactSigned.Parts
        switch CompactSigned.open(value, prefix: ChargeReceipt.prefix, maximumLength: ChargeReceipt.maximumLength) {
        case .success(let opened): parts = opened
        case .failure(let malformed): throw .malformed(malformed.reason)
        }
        let payload: ChargeReceiptPayload
        do {
            payload = try JSONDecoder().decode(ChargeReceiptPayload.self, from: Data(parts.payload))
        } catch {
            throw .malformed("payload is not valid receipt JSON")
        }
        guard let key = keys[payload.keyID] else { throw .unknownKeyID(payload.keyID) }
        guard parts.isValid(for: key) else { throw .badSignature }
        return payload.receipt
    }
}
