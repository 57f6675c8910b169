import Foundation
import Logging
import PostgresNIO
import TollgateCore

extension PostgresLedgerRepository {
    public func earnings(tenantID: UUID, groupBy: StatementGrouping, from: Date, to: Date) async throws -> [StatementLine] {
        // Tenant transaction: row-level security limits `charges` to this tenant's own.
        try await database.withTenant(tenantID) { connection in
            try await Self.lines(
                on: connection, logger: database.logger,
                Self.statementQuery(groupBy, owner: "tenant_id", ownerID: tenantID, from: from, to: to))
        }
    }

    public func earningsBalances(tenantID: UUID) async throws -> [Money] {
        try await database.withTenant(tenantID) { connection in
            var balances: [Money] = []
            for try await (currency, micros) in try await connection.query(
                "SELECT currency, balance_micros FROM ledger_accounts WHERE kind = 'tenant_earnings' AND tenant_id = \(tenantID) ORDER BY currency",
                logger: database.logger
            ).decode((String, Int64).self) {
                balances.append(Money(micros: micros, currency: try Currency(currency)))
            }
            return balances
        }
    }

    public func spending(crawlerAccountID: UUID, groupBy: StatementGrouping, from: Date, to: Date) async throws -> [StatementLine] {
        try await database.withPlatform { connection in
            try await Self.lines(
                on: connection, logger: database.logger,
                Self.statementQuery(groupBy, owner: "crawler_account_id", ownerID: crawlerAccountID, from: from, to: to))
        }
    }

    /// Posted charges of one owner (`owner` is a trusted column name) in [from, to), summed per group.
    private static func statementQuery(_ groupBy: StatementGrouping, owner: String, ownerID: UUID, from: Date, to: Date) -> PostgresQuery {
        let day = "(c.occurred_at AT TIME ZONE 'UTC')::date::text"
        let (key, label) =
            switch groupBy {
            case .crawler: ("c.crawler_account_id::text", "ca.name")
            case .site: ("c.site_id::text", "s.name")
            case .tenant: ("c.tenant_id::text", "t.name")
            case .day: (day, day)
            }
        return """
            SELECT \(unescaped: key), \(unescaped: label), c.currency, count(*)::bigint, sum(c.price_micros)::bigint, sum(c.fee_micros)::bigint
            FROM charges c
            LEFT JOIN sites s ON s.id = c.site_id
            LEFT JOIN tenants t ON t.id = c.tenant_id
            LEFT JOIN crawler_accounts ca ON ca.id = c.crawler_account_id
            WHERE c.\(unescaped: owner) = \(ownerID) AND c.status = 'posted' AND c.occurred_at >= \(from) AND c.occurred_at < \(to)
            GROUP BY 1, 2, 3 ORDER BY 1, 3
            """
    }

    private static func lines(on connection: PostgresConnection, logger: Logger, _ query: PostgresQuery) async throws -> [StatementLine] {
        var lines: [StatementLine] = []
        for try await (key, label, currency, count, gross, fees) in try await connection.query(query, logger: logger)
            .decode((String, String?, String, Int64, Int64, Int64).self)
        {
            let currency = try Currency(currency)
            lines.append(
                StatementLine(
                    key: key, label: label ?? key, charges: Int(count), gross: Money(micros: gross, currency: currency),
                    fees: Money(micros: fees, currency: currency), net: Money(micros: gross - fees, currency: currency)))
        }
        return lines
    }
}
