import Crypto
import Foundation

/// An HTTP Message Signatures key directory (`{"keys":[JWK...]}`), served at
/// `/.well-known/http-message-signatures-directory` with media type
/// `application/http-message-signatures-directory+json`.
public struct KeyDirectory: Sendable, Hashable, Codable {
    public static let wellKnownPath = "/.well-known/http-message-signatures-directory"
    public static let mediaType = "application/http-message-signatures-directory+json"

    public var keys: [JSONWebKey]

    public init(keys: [JSONWebKey]) {
        self.keys = keys
    }

    /// Decodes a directory body, ignoring unknown members, and refuses one that contains private key material.
    public static func parse(_ body: [UInt8]) throws(KeyDirectoryError) -> KeyDirectory {
        let directory: KeyDirectory
        do {
            directory = try JSONDecoder().decode(KeyDirectory.self, from: Data(body))
        } catch {
            throw KeyDirectoryError.malformedJSON("\(error)")
        }
        if let index = directory.keys.firstIndex(where: \.isPrivate) {
            throw KeyDirectoryError.containsPrivateKey(index: index)
        }
        return directory
    }

    /// The Ed25519 keys by their thumbprint (`keyid`); keys of other types or with bad material are skipped,
    /// since a directory may list keys for algorithms we do not verify.
    public func ed25519KeysByThumbprint() -> [String: Curve25519.Signing.PublicKey] {
        var result: [String: Curve25519.Signing.PublicKey] = [:]
        for jwk in keys where jwk.isEd25519 {
            guard let key = try? jwk.ed25519PublicKey(), let thumbprint = try? JWKThumbprint.thumbprint(of: jwk) else {
                continue
            }
            result[thumbprint] = key
        }
        return result
    }

    /// The directory body, with sorted keys so repeated serving is byte-stable.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(KeyDirectory(keys: keys.map(\.publicKey))))
    }
}
