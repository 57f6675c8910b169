/// The issuer's keys: one active key signs new tokens; retired keys stay until every token they signed has expired,
/// so rotation never invalidates live tokens. A value type: rotating returns a new keyring.
public struct CrawlTokenKeyring: Sendable {
    public private(set) var activeKey: CrawlTokenSigningKey
    public private(set) var retiredKeys: [CrawlTokenSigningKey]

    public init(activeKey: CrawlTokenSigningKey, retiredKeys: [CrawlTokenSigningKey] = []) {
        self.activeKey = activeKey
        self.retiredKeys = retiredKeys.filter { $0.id != activeKey.id }
    }

    /// Makes `key` the active key and keeps the previous one for verification.
    public func rotated(to key: CrawlTokenSigningKey) -> CrawlTokenKeyring {
        CrawlTokenKeyring(activeKey: key, retiredKeys: [activeKey] + retiredKeys)
    }

    /// Drops a retired key (its tokens stop verifying); the active key cannot be removed.
    public func removingRetiredKey(id: String) -> CrawlTokenKeyring {
        CrawlTokenKeyring(activeKey: activeKey, retiredKeys: retiredKeys.filter { $0.id != id })
    }

    /// Every key a verifier should accept.
    public var publicKeys: CrawlTokenPublicKeySet {
        CrawlTokenPublicKeySet([activeKey.publicKey] + retiredKeys.map(\.publicKey))
    }

    /// Signs `claims` with the active key.
    public func issue(_ claims: CrawlTokenClaims) throws(CrawlTokenError) -> String {
        try CrawlToken.encode(claims, signingKey: activeKey)
    }
}
