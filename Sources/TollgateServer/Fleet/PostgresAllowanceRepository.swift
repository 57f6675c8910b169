import Foundation
import Logging
import PostgresNIO
import TollgateCore

/// Allowances in PostgreSQL. A grant runs as the platform, since it weighs the account's balance and the allowances
/// of other tenants' agents; it locks the crawler accounts, then their balances in the ledger's global order (as a
/// charge does), and decides with `AllowancePolicy`.
struct PostgresAllowanceRepository: AllowanceRepository {
    let database: Database

    /// What `allowances(_:)` decodes: remaining is never shown below zero (charges may outrun an allowance).
    static let columns = "crawler_account_id, status, currency, greatest(granted_micros - spent_micros, 0), expires_at"

    private struct Account {
        let currency: Currency
        let active: Bool
        let dailyCap: Int64?
        let monthlyCap: Int64?
    }

    func grant(agentID: UUID, tenantID: UUID, accountIDs: [UUID], policy: AllowancePolicy) async throws -> [SyncAllowance] {
        var unique: [UUID] = []
        for id in accountIDs where !unique.contains(id) { unique.append(id) }
        let ids = unique
        let logger = database.logger
        return try await database.withPlatform { connection in
            // NO KEY UPDATE serialises grants on an account without blocking the foreign-key checks (KEY SHARE) of
            // charges posted meanwhile; a grant and a charge meet on the balance lock instead.
            var accounts: [UUID: Account] = [:]
            for try await (id, currency, active, daily, monthly) in try await connection.query(
                """
                SELECT a.id, a.currency, a.status = 'active' AND o.status = 'active', a.daily_cap_micros, a.monthly_cap_micros
                FROM crawler_accounts a JOIN crawler_operators o ON o.id = a.operator_id
                WHERE a.id = ANY(\(ids)) ORDER BY a.id FOR NO KEY UPDATE OF a
                """, logger: logger
            ).decode((UUID, String, Bool, Int64?, Int64?).self) {
                accounts[id] = Account(currency: try Currency(currency), active: active, dailyCap: daily, monthlyCap: monthly)
            }
            if let missing = ids.first(where: { accounts[$0] == nil }) { throw AllowanceError.unknownAccount(missing) }
            let balances = try await LockedAccounts.lock(
                accounts.map { LedgerAccountRef.crawler($0.key, $0.value.currency) }, on: connection, logger: logger)

            var spent: [UUID: (today: Int64, month: Int64)] = [:]
            for try await (id, today, month) in try await connection.query(
                """
                SELECT crawler_account_id,
                       coalesce(sum(spent_micros) FILTER (WHERE day = (now() AT TIME ZONE 'UTC')::date), 0)::bigint,
                       coalesce(sum(spent_micros), 0)::bigint
                FROM crawler_spend_days
                WHERE crawler_account_id = ANY(\(ids)) AND day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date
                GROUP BY crawler_account_id
                """, logger: logger
            ).decode((UUID, Int64, Int64).self) {
                spent[id] = (today, month)
            }
            var others: [UUID: Int64] = [:]
            for try await (id, outstanding) in try await connection.query(
                """
                SELECT crawler_account_id, coalesce(sum(greatest(granted_micros - spent_micros, 0)), 0)::bigint
                FROM agent_allowances
                WHERE crawler_account_id = ANY(\(ids)) AND agent_id <> \(agentID) AND status = 'active' AND expires_at > now()
                GROUP BY crawler_account_id
                """, logger: logger
            ).decode((UUID, Int64).self) {
                others[id] = outstanding
            }

            var granted: [SyncAllowance] = []
            for id in ids {
                let account = accounts[id]!
                let used = spent[id] ?? (0, 0)
                let headrooms = [account.dailyCap.map { $0 - used.today }, account.monthlyCap.map { $0 - used.month }].compactMap { $0 }
                let decision = policy.decide(
                    AllowancePolicy.AccountState(
                        active: account.active, spendable: balances.available(.crawler(id, account.currency)),
                        othersOutstanding: others[id] ?? 0, capHeadroom: headrooms.min()))
                let rows = try await connection.query(
                    """
                    INSERT INTO agent_allowances (agent_id, crawler_account_id, tenant_id, currency, granted_micros, status, expires_at)
                    VALUES (\(agentID), \(id), \(tenantID), \(account.currency.code), \(decision.remainingMicros), \(decision.status.rawValue),
                            now() + \(decision.lifetime) * interval '1 second')
                    ON CONFLICT (agent_id, crawler_account_id) DO UPDATE SET
                        granted_micros = agent_allowances.spent_micros + EXCLUDED.granted_micros, status = EXCLUDED.status,
                        currency = EXCLUDED.currency, expires_at = EXCLUDED.expires_at, updated_at = now()
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                granted += try await Self.allowances(rows)
            }
            return granted
        }
    }

    func allowances(agentID: UUID, tenantID: UUID, accountIDs: [UUID]) async throws -> [SyncAllowance] {
        guard !accountIDs.isEmpty else { return [] }
        return try await database.withTenant(tenantID) { connection in
            try await Self.allowances(
                connection.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM agent_allowances
                    WHERE agent_id = \(agentID) AND tenant_id = \(tenantID) AND crawler_account_id = ANY(\(accountIDs))
                    ORDER BY crawler_account_id
                    """, logger: database.logger))
        }
    }

    /// Rows of `columns`.
    static func allowances(_ rows: PostgresRowSequence) async throws -> [SyncAllowance] {
        var result: [SyncAllowance] = []
        for try await (account, status, currency, remaining, expiresAt) in rows.decode((UUID, String, String, Int64, Date).self) {
            // The table's CHECK admits only the four statuses.
            result.append(
                SyncAllowance(
                    crawlerAccountID: account, status: SyncAllowance.Status(rawValue: status) ?? .suspended,
                    remaining: Money(micros: remaining, currency: try Currency(currency)), expiresAt: expiresAt))
        }
        return result
    }
}
