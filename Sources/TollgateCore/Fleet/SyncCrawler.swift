import Foundation

/// A registered crawler: how the edge recognises it (Web Bot Auth keys by thumbprint, product token) and which
/// prepaid accounts of its operator pay, one per currency.
public struct SyncCrawler: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case active, revoked
    }

    public var id: UUID
    public var operatorID: UUID
    public var name: String
    /// The robots.txt product token, e.g. `GPTBot`; price overrides and blocklists name crawlers by it.
    public var productToken: String
    public var purposes: [CrawlPurpose]
    public var status: Status
    /// Usable public keys only (not revoked); a key removed here is no longer accepted.
    public var keys: [SyncCrawlerKey]
    /// The operator's active accounts; a site charges the one in its currency.
    public var accounts: [SyncCrawlerAccount]

    public init(
        id: UUID, operatorID: UUID, name: String, productToken: String, purposes: [CrawlPurpose], status: Status,
        keys: [SyncCrawlerKey], accounts: [SyncCrawlerAccount]
    ) {
        self.id = id
        self.operatorID = operatorID
        self.name = name
        self.productToken = productToken
        self.purposes = purposes
        self.status = status
        self.keys = keys
        self.accounts = accounts
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, purposes, status, keys, accounts
        case operatorID = "operator_id"
        case productToken = "product_token"
    }
}

/// One Web Bot Auth key of a crawler: its JWK and thumbprint (the `keyid` of signatures), with its validity window.
public struct SyncCrawlerKey: Sendable, Hashable, Codable {
    public var thumbprint: String
    public var jwk: JSONWebKey
    public var notBefore: Date?
    public var expiresAt: Date?

    public init(thumbprint: String, jwk: JSONWebKey, notBefore: Date? = nil, expiresAt: Date? = nil) {
        self.thumbprint = thumbprint
        self.jwk = jwk
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey {
        case thumbprint, jwk
        case notBefore = "not_before"
        case expiresAt = "expires_at"
    }
}

/// A prepaid crawler account the edge may charge.
public struct SyncCrawlerAccount: Sendable, Hashable, Codable {
    public var id: UUID
    public var currency: Currency

    public init(id: UUID, currency: Currency) {
        self.id = id
        self.currency = currency
    }
}
