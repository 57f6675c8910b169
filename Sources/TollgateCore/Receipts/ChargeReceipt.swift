import Foundation

/// What a crawler was charged for one request, signed by the control plane so the crawler (or an auditor) can
/// prove it offline with the published keys.
///
/// Compact form: `tgr1.<base64url(payload)>.<base64url(Ed25519 signature)>` (see `CompactSigned`); the payload is
/// `{"kid","event_id","transaction_id","crawler_account_id","tenant_id","site_id","url","price":{…},"occurred_at",
/// "posted_at","issuer"}` with sorted keys and Unix-second times.
public struct ChargeReceipt: Sendable, Hashable {
    public static let prefix = "tgr1"
    public static let maximumLength = 16_384

    public var eventID: String
    public var transactionID: UUID
    public var crawlerAccountID: UUID
    public var tenantID: UUID
    public var siteID: UUID
    public var url: String
    public var price: Money
    /// When the edge served the request.
    public var occurredAt: Date
    /// When the ledger recorded the charge.
    public var postedAt: Date
    /// The control plane that issued the receipt (its public URL).
    public var issuer: String

    public init(
        eventID: String, transactionID: UUID, crawlerAccountID: UUID, tenantID: UUID, siteID: UUID, url: String, price: Money,
        occurredAt: Date, postedAt: Date, issuer: String
    ) {
        self.eventID = eventID
        self.transactionID = transactionID
        self.crawlerAccountID = crawlerAccountID
        self.tenantID = tenantID
        self.siteID = siteID
        self.url = url
        self.price = price
        self.occurredAt = occurredAt
        self.postedAt = postedAt
        self.issuer = issuer
    }
}

public enum ChargeReceiptError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case unknownKeyID(String)
    case badSignature
    case signingFailed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed receipt: \(reason)"
        case .unknownKeyID(let keyID): "receipt names unknown key id \"\(keyID)\""
        case .badSignature: "receipt signature does not verify"
        case .signingFailed(let reason): "could not sign the receipt: \(reason)"
        }
    }
}

/// The signed JSON: the receipt plus the id of the key that signed it.
struct ChargeReceiptPayload: Codable {
    var keyID: String
    var receipt: ChargeReceipt

    private enum CodingKeys: String, CodingKey {
        case keyID = "kid", eventID = "event_id", transactionID = "transaction_id", crawlerAccountID = "crawler_account_id"
        case tenantID = "tenant_id", siteID = "site_id", url, price, occurredAt = "occurred_at", postedAt = "posted_at", issuer
    }

    init(keyID: String, receipt: ChargeReceipt) {
        self.keyID = keyID
        self.receipt = receipt
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keyID = try c.decode(String.self, forKey: .keyID)
        receipt = ChargeReceipt(
            eventID: try c.decode(String.self, forKey: .eventID), transactionID: try c.decode(UUID.self, forKey: .transactionID),
            crawlerAccountID: try c.decode(UUID.self, forKey: .crawlerAccountID), tenantID: try c.decode(UUID.self, forKey: .tenantID),
            siteID: try c.decode(UUID.self, forKey: .siteID), url: try c.decode(String.self, forKey: .url),
            price: try c.decode(Money.self, forKey: .price),
            occurredAt: Date(timeIntervalSince1970: TimeInterval(try c.decode(Int64.self, forKey: .occurredAt))),
            postedAt: Date(timeIntervalSince1970: TimeInterval(try c.decode(Int64.self, forKey: .postedAt))),
            issuer: try c.decode(String.self, forKey: .issuer))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyID, forKey: .keyID)
        try c.encode(receipt.eventID, forKey: .eventID)
        try c.encode(receipt.transactionID.uuidString.lowercased(), forKey: .transactionID)
        try c.encode(receipt.crawlerAccountID.uuidString.lowercased(), forKey: .crawlerAccountID)
        try c.encode(receipt.tenantID.uuidString.lowercased(), forKey: .tenantID)
        try c.encode(receipt.siteID.uuidString.lowercased(), forKey: .siteID)
        try c.encode(receipt.url, forKey: .url)
        try c.encode(receipt.price, forKey: .price)
        try c.encode(Int64(receipt.occurredAt.timeIntervalSince1970.rounded(.down)), forKey: .occurredAt)
        try c.encode(Int64(receipt.postedAt.timeIntervalSince1970.rounded(.down)), forKey: .postedAt)
        try c.encode(receipt.issuer, forKey: .issuer)
    }
}
