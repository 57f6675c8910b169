import Crypto
import TollgateCore

/// Secrets we hand out (session cookies, API keys, invite, operator and edge-agent tokens) are stored only as
/// HMAC-SHA256 under the server's secret key: a database dump alone cannot be replayed.
public struct TokenHasher: Sendable {
    private let key: SymmetricKey

    public init(secretKey: [UInt8]) { self.key = SymmetricKey(data: secretKey) }

    public func hash(_ token: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(token.utf8), using: key))
    }
}

/// Token shapes. The prefixes make leaked secrets easy to recognise (and to scan for in repositories).
enum Tokens {
    static func session() -> String { "tgs_" + SecureRandom.base62String(length: 43) }
    static func invite() -> String { "tgi_" + SecureRandom.base62String(length: 43) }
    static func operatorSession() -> String { "tgo_" + SecureRandom.base62String(length: 43) }
    static func crawlerOperator() -> String { "tgp_" + SecureRandom.base62String(length: 43) }
    /// A one-time edge-agent enrollment token (`tge_`), exchanged once for an agent credential (`tga_`).
    static func agentEnrollment() -> String { "tge_" + SecureRandom.base62String(length: 43) }
    static func agentCredential() -> String { "tga_" + SecureRandom.base62String(length: 43) }
    static func csrf() -> String { SecureRandom.base62String(length: 32) }

    /// What `csrf()` produces; anything else in a cookie is replaced rather than trusted.
    static func isFormToken(_ value: String) -> Bool {
        value.utf8.count == 32 && value.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    /// `tgk_<8-char id>_<40-char secret>`; the `tgk_<id>` part is stored in clear to find the key and to show it.
    static func apiKey() -> (key: String, prefix: String) {
        let prefix = "tgk_" + SecureRandom.base62String(length: 8)
        return (prefix + "_" + SecureRandom.base62String(length: 40), prefix)
    }

    static func apiKeyPrefix(of key: String) -> String? {
        let parts = key.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "tgk", parts[1].count == 8, parts[2].count == 40 else { return nil }
        return "tgk_" + parts[1]
    }
}
