import Foundation
import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// Keyset pagination, newest first, as every list endpoint pages (`?after=<id of the last row seen>`): appends
    /// `AND` the rows created before row `after` (all of them when nil), `ORDER BY created_at DESC, id DESC` and
    /// `LIMIT limit`. Goes after a `WHERE` condition on `table`.
    mutating func appendInterpolation(pageAfter after: UUID?, of table: String, limit: Int) {
        appendLiteral("AND (")
        appendInterpolation(after)
        appendLiteral("::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM ")
        appendInterpolation(unescaped: table)
        appendLiteral(" WHERE id = ")
        appendInterpolation(after)
        appendLiteral(")) ORDER BY created_at DESC, id DESC LIMIT ")
        appendInterpolation(limit)
    }
}
