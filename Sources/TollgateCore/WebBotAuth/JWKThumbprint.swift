import Crypto

/// RFC 7638 JWK thumbprints (SHA-256, base64url without padding), which Web Bot Auth uses as `keyid`.
public enum JWKThumbprint {
    /// The required members per key type (RFC 7638 §3.2, RFC 8037 §2 for OKP), already in lexicographic order.
    private static let requiredMembers: [String: [String]] = [
        "EC": ["crv", "kty", "x", "y"],
        "OKP": ["crv", "kty", "x"],
        "RSA": ["e", "kty", "n"],
        "oct": ["k", "kty"],
    ]

    /// The exact bytes that are hashed: the required members only, sorted, without whitespace.
    public static func canonicalJSON(of key: JSONWebKey) throws(JSONWebKeyError) -> String {
        guard let members = requiredMembers[key.kty] else { throw JSONWebKeyError.unsupportedKeyType(key.kty) }
        var parts: [String] = []
        for member in members {
            let value: String? =
                switch member {
                case "crv": key.crv
                case "kty": key.kty
                case "x": key.x
                case "y": key.y
                case "e": key.e
                case "n": key.n
                default: key.k
                }
            guard let value else { throw JSONWebKeyError.missingMember(keyType: key.kty, member: member) }
            parts.append("\"\(member)\":\(jsonString(value))")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    public static func sha256(of key: JSONWebKey) throws(JSONWebKeyError) -> [UInt8] {
        Array(SHA256.hash(data: Array(try canonicalJSON(of: key).utf8)))
    }

    public static func thumbprint(of key: JSONWebKey) throws(JSONWebKeyError) -> String {
        Base64URL.encode(try sha256(of: key))
    }

    /// The thumbprint of an Ed25519 public key, i.e. its Web Bot Auth `keyid`.
    public static func thumbprint(of key: Curve25519.Signing.PublicKey) -> String {
        // An OKP key built from a public key always has every required member.
        (try? thumbprint(of: JSONWebKey(ed25519PublicKey: key))) ?? ""
    }

    // JSON string per RFC 8259 with the minimal escaping the thumbprint input requires.
    private static func jsonString(_ value: String) -> String {
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
