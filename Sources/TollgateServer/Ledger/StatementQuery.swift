import Foundation
import Hummingbird
import TollgateCore

/// `?group_by=…&from=…&to=…` for statements: `from`/`to` are dates (`2026-11-01`, UTC midnight) or RFC 3339 times;
/// the default window is the last 30 days up to now.
struct StatementQuery {
    let groupBy: StatementGrouping
    let from: Date
    let to: Date

    static let maximumWindow: TimeInterval = 400 * 86_400

    init(_ request: Request, allowed: [StatementGrouping], defaultGrouping: StatementGrouping) throws {
        let query = request.uri.queryParameters
        if let raw = query["group_by"].map(String.init) {
            guard let grouping = StatementGrouping(rawValue: raw), allowed.contains(grouping) else {
                throw Problem.invalid(field: "group_by", "must be one of \(allowed.map(\.rawValue).joined(separator: ", "))")
            }
            groupBy = grouping
        } else {
            groupBy = defaultGrouping
        }
        let now = Date()
        to = try query["to"].map { try Self.time(String($0), field: "to") } ?? now
        // The default window never reaches before 1970, so every time in a statement is a valid RFC 3339 time.
        from = try query["from"].map { try Self.time(String($0), field: "from") } ?? max(Self.earliest, to.addingTimeInterval(-30 * 86_400))
        guard from < to else { throw Problem.invalid(field: "from", "must be before `to`") }
        guard to.timeIntervalSince(from) <= Self.maximumWindow else { throw Problem.invalid(field: "from", "the window may span at most 400 days") }
    }

    static let earliest = Date(timeIntervalSince1970: 0)
    /// 9999-12-30T00:00:00Z: later times (or offsets that push them past year 9999 in UTC) have no RFC 3339 form.
    static let latest = Date(timeIntervalSince1970: 253_402_128_000)

    private static func time(_ raw: String, field: String) throws -> Date {
        let parsed = RFC3339.parse(raw) ?? (try? Date(raw, strategy: Date.ISO8601FormatStyle().year().month().day()))
        guard let parsed else {
            throw Problem.invalid(field: field, "must be a date like 2026-11-01 or a time like 2026-11-01T00:00:00Z")
        }
        guard parsed > earliest, parsed < latest else { throw Problem.invalid(field: field, "must be between 1970-01-01 and 9999-12-30") }
        return parsed
    }
}

/// A statement: the lines of one grouping over one window.
struct StatementResponse: Encodable {
    let groupBy: String
    let from: Date
    let to: Date
    let lines: [StatementLine]
    /// Only on tenant statements: the earnings balance per currency.
    let balances: [Money]?

    enum CodingKeys: String, CodingKey { case groupBy = "group_by", from, to, lines, balances }
}
