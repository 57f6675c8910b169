import Crypto
import Foundation

/// Seals signing keys for storage in a `SecretBox` of their own, with the key id as associated data.
struct KeySealer: Sendable {
    private let box: SecretBox

    init(secretKey: [UInt8]) {
        box = SecretBox(secretKey: secretKey, purpose: "signing-key")
    }

    func seal(_ privateKey: Curve25519.Signing.PrivateKey, id: String) throws -> [UInt8] {
        try box.seal(Array(privateKey.rawRepresentation), context: id)
    }

    func open(_ sealed: [UInt8], id: String) throws -> Curve25519.Signing.PrivateKey {
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: try box.open(sealed, context: id))
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
