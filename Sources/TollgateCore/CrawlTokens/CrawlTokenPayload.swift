import Foundation

/// The JSON inside a token: the claims plus the id of the key that signed them.
struct CrawlTokenPayload: Codable {
    var keyID: String
    var claims: CrawlTokenClaims

    private enum CodingKeys: String, CodingKey {
        case keyID = "kid"
        case tokenID = "jti"
        case crawlerAccountID = "sub"
        case scope
        case maxPrice = "max_price"
        case issuedAt = "iat"
        case expiresAt = "exp"
    }

    init(keyID: String, claims: CrawlTokenClaims) {
        self.keyID = keyID
        self.claims = claims
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keyID = try container.decode(String.self, forKey: .keyID)
        claims = CrawlTokenClaims(
            tokenID: try container.decode(UUID.self, forKey: .tokenID),
            crawlerAccountID: try container.decode(UUID.self, forKey: .crawlerAccountID),
            scope: try container.decode(CrawlTokenScope.self, forKey: .scope),
            maxPrice: try container.decode(Money.self, forKey: .maxPrice),
            issuedAt: Date(timeIntervalSince1970: TimeInterval(try container.decode(Int64.self, forKey: .issuedAt))),
            expiresAt: Date(timeIntervalSince1970: TimeInterval(try container.decode(Int64.self, forKey: .expiresAt)))
        )
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keyID, forKey: .keyID)
        try container.encode(claims.tokenID.uuidString.lowercased(), forKey: .tokenID)
        try container.encode(claims.crawlerAccountID.uuidString.lowercased(), forKey: .crawlerAccountID)
        try container.encode(claims.scope, forKey: .scope)
        try container.encode(claims.maxPrice, forKey: .maxPrice)
        try container.encode(Int64(claims.issuedAt.timeIntervalSince1970), forKey: .issuedAt)
        try container.encode(Int64(claims.expiresAt.timeIntervalSince1970), forKey: .expiresAt)
    }
}
