import Foundation
import TollgateCore

/// A blocklist entry as the API shows it.
struct BlockEntryResponse: Encodable {
    let entry: BlockEntry

    init(_ entry: BlockEntry) { self.entry = entry }

    enum CodingKeys: String, CodingKey {
        case id, scope, value, action, reason, status
        case expiresAt = "expires_at", createdBy = "created_by", createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry.id, forKey: .id)
        try container.encode(entry.scope.rawValue, forKey: .scope)
        try container.encode(entry.value, forKey: .value)
        try container.encode(entry.action.rawValue, forKey: .action)
        try container.encode(entry.reason, forKey: .reason)
        try container.encode(entry.status(at: Date()), forKey: .status)
        try container.encode(entry.expiresAt, forKey: .expiresAt)
        try container.encode(entry.createdBy, forKey: .createdBy)
        try container.encode(entry.createdAt, forKey: .createdAt)
    }
}
