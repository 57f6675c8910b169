import Crypto

/// Seals secrets for storage: AES-GCM under a key derived (HKDF-SHA256) from the server's secret key and a purpose
/// label, with the row's id as associated data so a sealed value cannot be moved to another row or purpose.
struct SecretBox: Sendable {
    struct Unsealable: Error {}

    private let key: SymmetricKey

    init(secretKey: [UInt8], purpose: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secretKey), info: Array("tollgate \(purpose) seal v1".utf8), outputByteCount: 32)
    }

    func seal(_ plaintext: [UInt8], context: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(context.utf8))
        guard let combined = box.combined else { throw Unsealable() }
        return Array(combined)
    }

    func open(_ sealed: [UInt8], context: String) throws(Unsealable) -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(context.utf8)))
        } catch {
            throw Unsealable()
        }
    }
}
