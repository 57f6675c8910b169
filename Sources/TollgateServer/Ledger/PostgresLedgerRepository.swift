import Foundation
import Logging
import PostgresNIO
import TollgateCore

/// The ledger in PostgreSQL. Balances move only through `ledger_entries` (a trigger applies each entry to its
/// account in the same transaction); this type decides what to post and locks accounts in one global order.
public struct PostgresLedgerRepository: LedgerRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func post(_ posting: LedgerPosting, audit: AuditRecord?) async throws -> PostedTransaction {
        do {
            return try await database.withPlatform { connection in
                let accounts = try await LockedAccounts.lock(posting.legs.map(\.account), on: connection, logger: database.logger)
                let posted = try await Self.post(posting, accounts: accounts, on: connection, logger: database.logger)
                if let audit, !posted.replayed {
                    try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: database.logger)
                }
                return posted
            }
        } catch let error as PSQLError where error.constraint == "ledger_accounts_no_overdraft" {
            throw LedgerError.insufficientFunds(account: "a crawler balance", available: .zero(posting.legs[0].amount.currency))
        }
    }

    /// Inserts the transaction and its entries on a connection whose accounts are already locked.
    static func post(
        _ posting: LedgerPosting, accounts: LockedAccounts, on connection: PostgresConnection, logger: Logger
    ) async throws -> PostedTransaction {
        let fingerprint = posting.fingerprint
        let inserted = try await connection.query(
            """
            INSERT INTO ledger_transactions (idempotency_key, kind, cause_type, cause_id, memo, fingerprint)
            VALUES (\(posting.idempotencyKey), \(posting.kind.rawValue), \(posting.causeType), \(posting.causeID), \(posting.memo), \(bytea: fingerprint))
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id, created_at
            """, logger: logger
        ).decode((UUID, Date).self).first { _ in true }
        guard let (id, createdAt) = inserted else {
            let existing = try await connection.query(
                "SELECT id, created_at, fingerprint FROM ledger_transactions WHERE idempotency_key = \(posting.idempotencyKey)", logger: logger
            ).decode((UUID, Date, ByteBuffer).self).first { _ in true }
            guard let (id, createdAt, stored) = existing, stored.bytes == fingerprint else {
                throw LedgerError.idempotencyConflict(posting.idempotencyKey)
            }
            return PostedTransaction(id: id, createdAt: createdAt, replayed: true)
        }
        for leg in posting.legs {
            if leg.account.kind == .crawlerBalance, leg.amount.isNegative, let state = accounts.state[leg.account] {
                let available = state.balance + state.overdraftLimit
                guard available + leg.amount.micros >= 0 else {
                    throw LedgerError.insufficientFunds(
                        account: "crawler account \(leg.account.crawlerAccountID!)", available: Money(micros: available, currency: leg.amount.currency))
                }
            }
            try await connection.query(
                "INSERT INTO ledger_entries (transaction_id, account_id, amount_micros) VALUES (\(id), \(accounts.id(leg.account)), \(leg.amount.micros))",
                logger: logger)
            accounts.apply(leg)
        }
        return PostedTransaction(id: id, createdAt: createdAt, replayed: false)
    }

    public func balance(_ account: LedgerAccountRef) async throws -> Money {
        try await database.withPlatform { connection in
            let micros = try await connection.query(
                """
                SELECT balance_micros FROM ledger_accounts WHERE kind = \(account.kind.rawValue)
                  AND crawler_account_id IS NOT DISTINCT FROM \(account.crawlerAccountID)
                  AND tenant_id IS NOT DISTINCT FROM \(account.tenantID) AND currency = \(account.currency.code)
                """, logger: database.logger
            ).decode(Int64.self).first { _ in true }
            return Money(micros: micros ?? 0, currency: account.currency)
        }
    }

    public func crawlerBalance(accountID: UUID, currency: Currency) async throws -> CrawlerBalance {
        try await database.withPlatform { connection in
            let row = try await connection.query(
                """
                SELECT balance_micros, overdraft_limit_micros FROM ledger_accounts
                WHERE kind = 'crawler_balance' AND crawler_account_id = \(accountID) AND currency = \(currency.code)
                """, logger: database.logger
            ).decode((Int64, Int64).self).first { _ in true }
            let (balance, limit) = row ?? (0, 0)
            return CrawlerBalance(balance: Money(micros: balance, currency: currency), overdraftLimit: Money(micros: limit, currency: currency))
        }
    }

    public func setOverdraftLimit(_ limit: Money, crawlerAccountID: UUID, audit: AuditRecord?) async throws {
        guard limit.micros >= 0 else { throw LedgerError.invalid("an overdraft limit cannot be negative") }
        try await database.withPlatform { connection in
            let accounts = try await LockedAccounts.lock([.crawler(crawlerAccountID, limit.currency)], on: connection, logger: database.logger)
            let state = accounts.state[.crawler(crawlerAccountID, limit.currency)]!
            guard state.balance + limit.micros >= 0 else {
                throw LedgerError.invalid("the balance is \(state.balance) micros; a limit below that would leave it overdrawn")
            }
            try await connection.query(
                "UPDATE ledger_accounts SET overdraft_limit_micros = \(limit.micros) WHERE id = \(state.id)", logger: database.logger)
            if let audit { try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: database.logger) }
        }
    }

    public func inconsistentAccounts() async throws -> [String] {
        try await database.withPlatform { connection in
            let rows = try await connection.query(
                """
                SELECT a.kind || ':' || a.id::text || ' stored ' || a.balance_micros || ' entries ' || coalesce(sum(e.amount_micros), 0)
                FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
                GROUP BY a.id HAVING a.balance_micros <> coalesce(sum(e.amount_micros), 0)
                """, logger: database.logger)
            var found: [String] = []
            for try await line in rows.decode(String.self) { found.append(line) }
            return found
        }
    }
}

/// The accounts of one database transaction, created if missing and locked `FOR UPDATE` in `LedgerAccountRef`'s
/// order, with their balances as this transaction changes them.
final class LockedAccounts {
    struct State {
        let id: UUID
        var balance: Int64
        let overdraftLimit: Int64
    }

    private(set) var state: [LedgerAccountRef: State] = [:]

    func id(_ ref: LedgerAccountRef) -> UUID { state[ref]!.id }

    func apply(_ leg: LedgerPosting.Leg) {
        state[leg.account]?.balance += leg.amount.micros
    }

    /// Available to spend from a crawler balance: what it holds plus its overdraft limit.
    func available(_ ref: LedgerAccountRef) -> Int64 {
        guard let state = state[ref] else { return 0 }
        return state.balance + state.overdraftLimit
    }

    static func lock(_ refs: some Sequence<LedgerAccountRef>, on connection: PostgresConnection, logger: Logger) async throws -> LockedAccounts {
        let locked = LockedAccounts()
        for ref in Set(refs).sorted(by: { $0.description < $1.description }) {
            try await connection.query(
                """
                INSERT INTO ledger_accounts (kind, crawler_account_id, tenant_id, currency)
                VALUES (\(ref.kind.rawValue), \(ref.crawlerAccountID), \(ref.tenantID), \(ref.currency.code))
                ON CONFLICT ON CONSTRAINT ledger_accounts_identity DO NOTHING
                """, logger: logger)
            let row = try await connection.query(
                """
                SELECT id, balance_micros, overdraft_limit_micros FROM ledger_accounts
                WHERE kind = \(ref.kind.rawValue) AND crawler_account_id IS NOT DISTINCT FROM \(ref.crawlerAccountID)
                  AND tenant_id IS NOT DISTINCT FROM \(ref.tenantID) AND currency = \(ref.currency.code)
                FOR UPDATE
                """, logger: logger
            ).decode((UUID, Int64, Int64).self).first { _ in true }
            guard let (id, balance, limit) = row else { throw LedgerError.invalid("ledger account \(ref) could not be created") }
            locked.state[ref] = State(id: id, balance: balance, overdraftLimit: limit)
        }
        return locked
    }
}
