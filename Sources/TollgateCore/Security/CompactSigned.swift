import Crypto
import Foundation

/// `<prefix>.<base64url(payload)>.<base64url(Ed25519 signature)>`, base64url without padding, the signature over the
/// ASCII bytes `<prefix>.<base64url(payload)>`: the compact form of crawl tokens and charge receipts. Only the
/// canonical encoding is accepted, so one signed value has exactly one spelling.
public enum CompactSigned {
    public struct Parts: Sendable {
        public let payload: [UInt8]
        public let signingInput: String
        public let signature: [UInt8]

        public func isValid(for key: Curve25519.Signing.PublicKey) -> Bool {
            key.isValidSignature(signature, for: Array(signingInput.utf8))
        }
    }

    public static func seal(prefix: String, payload: Data, key: Curve25519.Signing.PrivateKey) throws -> String {
        let signingInput = "\(prefix).\(Base64URL.encode(payload))"
        let signature = try key.signature(for: Array(signingInput.utf8))
        return "\(signingInput).\(Base64URL.encode(signature))"
    }

    /// Splits and decodes without checking the signature; returns why the value is malformed otherwise.
    public static func open(_ value: String, prefix: String, maximumLength: Int) -> Result<Parts, MalformedReason> {
        guard value.utf8.count <= maximumLength else { return .failure(.init("longer than \(maximumLength) bytes")) }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.init("expected 3 dot-separated parts, found \(parts.count)")) }
        guard parts[0] == prefix else { return .failure(.init("prefix is not \(prefix)")) }
        guard let payload = Base64URL.decode(String(parts[1])), !payload.isEmpty, Base64URL.encode(payload) == parts[1] else {
            return .failure(.init("payload is not canonical base64url"))
        }
        guard let signature = Base64URL.decode(String(parts[2])), signature.count == 64, Base64URL.encode(signature) == parts[2] else {
            return .failure(.init("signature is not 64 bytes of canonical base64url"))
        }
        return .success(Parts(payload: payload, signingInput: "\(parts[0]).\(parts[1])", signature: signature))
    }

    public struct MalformedReason: Error, Sendable, Hashable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
