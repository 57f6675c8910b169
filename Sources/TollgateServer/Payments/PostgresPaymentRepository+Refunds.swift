import Foundation
import Logging
import PostgresNIO
import TollgateCore
import TollgateGateways

extension PostgresPaymentRepository {
    static let refundColumns = """
        r.id, r.top_up_id, r.request_key, r.vendor_key, r.reference, r.amount_micros, r.currency, r.reason, r.status, r.vendor_refund_id,
        r.failure_message, r.attempts, r.created_at, r.updated_at
        """

    static func refund(_ row: PostgresRow) throws -> Refund {
        let (id, topUpID, requestKey, vendorKey, reference, amount, currency, reason, status, vendorID, failure, attempts, created, updated) =
            try row.decode((UUID, UUID, String, String, String, Int64, String, String, String, String?, String?, Int, Date, Date).self)
        return Refund(
            id: id, topUpID: topUpID, requestKey: requestKey, vendorKey: vendorKey, reference: reference,
            amount: Money(micros: amount, currency: try Currency(currency)), reason: reason, status: Refund.Status(rawValue: status) ?? .pending,
            vendorRefundID: vendorID, failureMessage: failure, attempts: attempts, createdAt: created, updatedAt: updated)
    }

    static func firstRefund(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Refund? {
        try await connection.query(query, logger: logger).first(where: { _ in true }).map(refund)
    }

    public func createRefund(topUpID: UUID, amount: Money, reason: String, requestKey: String) async throws -> (Refund, created: Bool) {
        let id = UUID()
        let vendorKey = IdempotencyKey(ledgerKey: "refund:\(id.uuidString.lowercased())", operation: "refund").raw
        do {
            return try await database.withPlatform { connection in
                if let existing = try await Self.firstRefund(
                    "SELECT \(unescaped: Self.refundColumns) FROM refunds r WHERE r.top_up_id = \(topUpID) AND r.request_key = \(requestKey)",
                    on: connection, logger: logger)
                {
                    guard existing.amount == amount else { throw PaymentError.requestKeyReused }
                    return (existing, false)
                }
                guard let topUp = try await Self.firstTopUp(
                    "SELECT \(unescaped: Self.topUpColumns) FROM top_ups WHERE id = \(topUpID) FOR UPDATE", on: connection, logger: logger),
                    topUp.status == .succeeded
                else { throw PaymentError.refundExceedsPayment(refundable: .zero(amount.currency)) }
                guard amount.currency == topUp.amount.currency, amount.micros <= topUp.refundable.micros else {
                    throw PaymentError.refundExceedsPayment(refundable: topUp.refundable)
                }
                let posting = try LedgerPosting(
                    idempotencyKey: "refund:\(id.uuidString.lowercased())", kind: .refund, causeType: "refund", causeID: id.uuidString,
                    memo: "refund of top-up \(topUp.reference)",
                    legs: [.init(.crawler(topUp.crawlerAccountID, amount.currency), try amount.negated()), .init(.platform(.refunds, amount.currency), amount)])
                let accounts = try await LockedAccounts.lock(posting.legs.map(\.account), on: connection, logger: logger)
                // Refunds give back unused balance only: never into the overdraft.
                let balance = accounts.state[.crawler(topUp.crawlerAccountID, amount.currency)]?.balance ?? 0
                guard balance >= amount.micros else { throw PaymentError.insufficientFunds(available: Money(micros: max(0, balance), currency: amount.currency)) }
                let posted = try await PostgresLedgerRepository.post(posting, accounts: accounts, on: connection, logger: logger)
                try await connection.query(
                    "UPDATE top_ups SET refunded_micros = refunded_micros + \(amount.micros), updated_at = now() WHERE id = \(topUpID)", logger: logger)
                guard let refund = try await Self.firstRefund(
                    """
                    WITH r AS (
                      INSERT INTO refunds (id, top_up_id, request_key, vendor_key, reference, amount_micros, currency, reason, status, ledger_transaction_id)
                      VALUES (\(id), \(topUpID), \(requestKey), \(vendorKey), \(PaymentReference.make(id)), \(amount.micros), \(amount.currency.code),
                              \(reason), 'pending', \(posted.id))
                      RETURNING *)
                    SELECT \(unescaped: Self.refundColumns) FROM r
                    """, on: connection, logger: logger)
                else { throw PaymentError.refundExceedsPayment(refundable: topUp.refundable) }
                return (refund, true)
            }
        } catch LedgerError.insufficientFunds(_, let available) {
            throw PaymentError.insufficientFunds(available: available)
        }
    }

    public func refunds(crawlerAccountID: UUID, limit: Int) async throws -> [Refund] {
        try await database.withPlatform { connection in
            var found: [Refund] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.refundColumns) FROM refunds r JOIN top_ups t ON t.id = r.top_up_id
                WHERE t.crawler_account_id = \(crawlerAccountID) ORDER BY r.created_at DESC, r.id LIMIT \(limit)
                """, logger: logger)
            {
                found.append(try Self.refund(row))
            }
            return found
        }
    }

    public func dueRefunds(limit: Int) async throws -> [Refund] {
        try await database.withPlatform { connection in
            var found: [Refund] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.refundColumns) FROM refunds r WHERE r.status = 'pending' AND r.next_attempt_at <= now()
                ORDER BY r.next_attempt_at LIMIT \(limit)
                """, logger: logger)
            {
                found.append(try Self.refund(row))
            }
            return found
        }
    }

    public func resolveRefund(id: UUID, _ resolution: RefundResolution) async throws -> Refund {
        try await database.withPlatform { connection in
            guard let refund = try await Self.firstRefund(
                "SELECT \(unescaped: Self.refundColumns) FROM refunds r WHERE r.id = \(id) FOR UPDATE", on: connection, logger: logger)
            else { throw PaymentError.unknownRefund }
            return try await Self.resolve(refund, resolution, on: connection, logger: logger)
        }
    }

    /// Moves a locked pending refund forward; a refusal gives the money back to the balance (ledger key
    /// `refund-reversal:<id>`) and frees the amount on the top-up.
    static func resolve(_ refund: Refund, _ resolution: RefundResolution, on connection: PostgresConnection, logger: Logger) async throws -> Refund {
        guard refund.status == .pending else { return refund }
        let assignments: PostgresQuery
        switch resolution {
        case .succeeded(let refundID):
            assignments = "status = 'succeeded', vendor_refund_id = coalesce(vendor_refund_id, \(refundID)), failure_message = NULL"
        case .pending(let refundID):
            assignments = "vendor_refund_id = coalesce(vendor_refund_id, \(refundID)), attempts = attempts + 1, next_attempt_at = now() + interval '5 minutes'"
        case .retry(let at, let why):
            assignments = "attempts = attempts + 1, next_attempt_at = \(at), failure_message = \(String(why.prefix(500)))"
        case .failed(let message):
            guard let topUp = try await firstTopUp(
                "SELECT \(unescaped: topUpColumns) FROM top_ups WHERE id = \(refund.topUpID) FOR UPDATE", on: connection, logger: logger)
            else { return refund }
            let posting = try LedgerPosting(
                idempotencyKey: "refund-reversal:\(refund.id.uuidString.lowercased())", kind: .refund, causeType: "refund",
                causeID: refund.id.uuidString, memo: "refund \(refund.reference) refused by the gateway",
                legs: [
                    .init(.crawler(topUp.crawlerAccountID, refund.amount.currency), refund.amount),
                    .init(.platform(.refunds, refund.amount.currency), try refund.amount.negated()),
                ])
            let accounts = try await LockedAccounts.lock(posting.legs.map(\.account), on: connection, logger: logger)
            let posted = try await PostgresLedgerRepository.post(posting, accounts: accounts, on: connection, logger: logger)
            try await connection.query(
                "UPDATE top_ups SET refunded_micros = refunded_micros - \(refund.amount.micros), updated_at = now() WHERE id = \(topUp.id)",
                logger: logger)
            assignments = "status = 'failed', failure_message = \(String(message.prefix(500))), reversal_transaction_id = \(posted.id)"
        }
        let query = update("refunds", alias: "r", id: refund.id, assignments, returning: refundColumns)
        return try await firstRefund(query, on: connection, logger: logger) ?? refund
    }
}
