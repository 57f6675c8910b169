import Foundation
import PostgresNIO
import TollgateCore

extension PostgresPaymentRepository {
    private static let payoutColumns = """
        id, tenant_id, period_start::timestamptz, period_end::timestamptz, amount_micros, currency, method, reference, note,
        ledger_transaction_id, created_at
        """

    private static func payout(_ row: PostgresRow) throws -> Payout {
        let (id, tenant, start, end, amount, currency, method, reference, note, transaction, created) = try row.decode(
            (UUID, UUID, Date, Date, Int64, String, String, String, String, UUID, Date).self)
        return Payout(
            id: id, tenantID: tenant, periodStart: start, periodEnd: end, amount: Money(micros: amount, currency: try Currency(currency)),
            method: method, reference: reference, note: note, ledgerTransactionID: transaction, createdAt: created)
    }

    public func createPayout(
        tenantID: UUID, amount: Money, periodStart: Date, periodEnd: Date, reference: String, note: String, createdBy: UUID,
        audit: AuditRecord
    ) async throws -> Payout {
        let id = UUID()
        do {
            return try await database.withPlatform { connection in
                let posting = try LedgerPosting(
                    idempotencyKey: "payout:\(id.uuidString.lowercased())", kind: .payout, causeType: "payout", causeID: id.uuidString,
                    memo: "payout \(reference)",
                    legs: [.init(.tenantEarnings(tenantID, amount.currency), try amount.negated()), .init(.platform(.payouts, amount.currency), amount)])
                let accounts = try await LockedAccounts.lock(posting.legs.map(\.account), on: connection, logger: logger)
                let earned = accounts.state[.tenantEarnings(tenantID, amount.currency)]?.balance ?? 0
                guard earned >= amount.micros else { throw PaymentError.payoutExceedsEarnings(available: Money(micros: earned, currency: amount.currency)) }
                let posted = try await PostgresLedgerRepository.post(posting, accounts: accounts, on: connection, logger: logger)
                let rows = try await connection.query(
                    """
                    INSERT INTO payouts (id, tenant_id, period_start, period_end, amount_micros, currency, method, reference, note,
                                         ledger_transaction_id, created_by)
                    VALUES (\(id), \(tenantID), (\(periodStart)::timestamptz AT TIME ZONE 'UTC')::date, (\(periodEnd)::timestamptz AT TIME ZONE 'UTC')::date,
                            \(amount.micros), \(amount.currency.code), 'manual', \(reference), \(note), \(posted.id), \(createdBy))
                    RETURNING \(unescaped: Self.payoutColumns)
                    """, logger: logger)
                guard let row = try await rows.first(where: { _ in true }) else { throw PaymentError.payoutPeriodTaken }
                try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: logger)
                return try Self.payout(row)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw PaymentError.payoutPeriodTaken
        }
    }

    public func payouts(tenantID: UUID) async throws -> [Payout] {
        try await database.withTenant(tenantID) { connection in
            var found: [Payout] = []
            for try await row in try await connection.query(
                "SELECT \(unescaped: Self.payoutColumns) FROM payouts ORDER BY period_start DESC, created_at DESC LIMIT 500", logger: logger)
            {
                found.append(try Self.payout(row))
            }
            return found
        }
    }
}
