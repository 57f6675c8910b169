import Foundation

/// Requests of one time bucket by site × action × reason × crawler × status class, as edge agents reported them.
struct TrafficCounter: Sendable, Equatable, Encodable {
    let time: Date
    /// nil for requests to a host no site claims.
    let siteID: UUID?
    let action: String
    let reason: String
    /// The product token of an identified crawler; nil for everyone else.
    let crawler: String?
    let statusClass: String
    let count: Int64

    enum CodingKeys: String, CodingKey {
        case time, action, reason, crawler, count
        case siteID = "site_id", statusClass = "status_class"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(siteID, forKey: .siteID)
        try container.encode(action, forKey: .action)
        try container.encode(reason, forKey: .reason)
        try container.encode(crawler, forKey: .crawler)
        try container.encode(statusClass, forKey: .statusClass)
        try container.encode(count, forKey: .count)
    }
}
