import Foundation
import Hummingbird
import TollgateCore

/// `?from=…&to=…&site_id=…&group_by=minute|hour` of the traffic report. `from` and `to` are RFC 3339 times; the
/// default window is the 24 hours up to now. A window that ends before it starts is empty, not an error, and times
/// outside 1970–9999 are clamped (no rollup lies there), so every time the schema admits gets an answer.
struct TrafficQuery: Sendable {
    let from: Date
    let to: Date
    let siteID: UUID?
    let grouping: TrafficGrouping

    static let defaultWindow: TimeInterval = 86_400
    static let earliest = Date(timeIntervalSince1970: 0)
    /// 9999-12-30T00:00:00Z, so a bucket start is always a time RFC 3339 can write.
    static let latest = Date(timeIntervalSince1970: 253_402_128_000)

    init(_ request: Request, now: Date = Date()) throws {
        let query = request.uri.queryParameters
        if let raw = query["group_by"].map(String.init) {
            guard let grouping = TrafficGrouping(rawValue: raw) else {
                throw Problem.invalid(field: "group_by", "must be one of \(TrafficGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.grouping = grouping
        } else {
            grouping = .hour
        }
        if let raw = query["site_id"].map(String.init) {
            guard let id = UUID(uuidString: raw) else { throw Problem.invalid(field: "site_id", "must be a site id (a UUID)") }
            siteID = id
        } else {
            siteID = nil
        }
        let to = try query["to"].map { try Self.time(String($0), field: "to") } ?? now
        self.to = to
        from = try query["from"].map { try Self.time(String($0), field: "from") } ?? max(Self.earliest, to.addingTimeInterval(-Self.defaultWindow))
    }

    private static func time(_ raw: String, field: String) throws -> Date {
        guard let parsed = RFC3339.parse(raw) else {
            throw Problem.invalid(field: field, "must be an RFC 3339 time like 2026-11-01T12:00:00Z")
        }
        return min(max(parsed, earliest), latest)
    }
}
