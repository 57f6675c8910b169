import Crypto
import Foundation

/// Seals private keys for storage: AES-GCM under a key derived (HKDF-SHA256) from the server's secret key, with the
/// key id as associated data so a sealed key cannot be moved to another row.
struct KeySealer: Sendable {
    private let key: SymmetricKey

    init(secretKey: [UInt8]) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secretKey), info: Array("tollgate signing-key seal v1".utf8), outputByteCount: 32)
    }

    func seal(_ privateKey: Curve25519.Signing.PrivateKey, id: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(privateKey.rawRepresentation, using: key, authenticating: Array(id.utf8))
        guard let combined = box.combined else { throw SigningKeyError.unsealable(id) }
        return Array(combined)
    }

    func open(_ sealed: [UInt8], id: String) throws -> Curve25519.Signing.PrivateKey {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return try Curve25519.Signing.PrivateKey(rawRepresentation: try AES.GCM.open(box, using: key, authenticating: Array(id.utf8)))
        } catch {
            throw SigningKeyError.unsealable(id)
        }
    }
}

public enum SigningKeyError: Error, CustomStringConvertible {
    case unsealable(String)

    public var description: String {
        switch self {
        case .unsealable(let id):
            "signing key \(id) cannot be unsealed: TOLLGATE_SECRET_KEY differs from the one it was sealed with; restore that key or rotate the signing keys"
        }
    }
}
