import Foundation
import Logging
import PostgresNIO
import TollgateCore

extension PostgresLedgerRepository {
    public func earnings(tenantID: UUID, groupBy: StatementGrouping, from: Date, to: Date) async throws -> [StatementLine] {
        let group: (key: String, label: String) =
            switch groupBy {
            case .crawler: ("c.crawler_account_id::text", "ca.name")
            case .site: ("c.site_id::text", "s.name")
            case .day, .tenant: ("(c.occurred_at AT TIME ZONE 'UTC')::date::text", "(c.occurred_at AT TIME ZONE 'UTC')::date::text")
            }
        // Tenant transaction: row-level security limits `charges` to this tenant's own.
        return try await database.withTenant(tenantID) { connection in
            try await Self.lines(
                on: connection, logger: database.logger,
                """
                SELECT \(unescaped: group.key), \(unescaped: group.label), c.currency, count(*)::bigint,
                       sum(c.price_micros)::bigint, sum(c.fee_micros)::bigint
                FROM charges c
                LEFT JOIN sites s ON s.id = c.site_id
                LEFT JOIN crawler_accounts ca ON ca.id = c.crawler_account_id
                WHERE c.tenant_id = \(tenantID) AND c.status = 'posted' AND c.occurred_at >= \(from) AND c.occurred_at < \(to)
                GROUP BY 1, 2, 3 ORDER BY 1, 3
                """)
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
        let group: (key: String, label: String) =
            switch groupBy {
            case .tenant: ("c.tenant_id::text", "t.name")
            case .site: ("c.site_id::text", "s.name")
            case .day, .crawler: ("(c.occurred_at AT TIME ZONE 'UTC')::date::text", "(c.occurred_at AT TIME ZONE 'UTC')::date::text")
            }
        return try await database.withPlatform { connection in
            try await Self.lines(
                on: connection, logger: database.logger,
                """
                SELECT \(unescaped: group.key), \(unescaped: group.label), c.currency, count(*)::bigint,
                       sum(c.price_micros)::bigint, sum(c.fee_micros)::bigint
                FROM charges c
                LEFT JOIN sites s ON s.id = c.site_id
                LEFT JOIN tenants t ON t.id = c.tenant_id
                WHERE c.crawler_account_id = \(crawlerAccountID) AND c.status = 'posted' AND c.occurred_at >= \(from) AND c.occurred_at < \(to)
                GROUP BY 1, 2, 3 ORDER BY 1, 3
                """)
        }
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
