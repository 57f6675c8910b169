import Foundation
import Logging
import PostgresNIO
import TollgateCore
import TollgateGateways

extension PostgresPaymentRepository {
    static let topUpColumns = """
        id, crawler_account_id, payment_method_id, gateway_id, request_key, vendor_key, reference, source, amount_micros, currency,
        status, vendor_payment_id, failure_code, failure_message, refunded_micros, ledger_transaction_id, attempts, created_at, updated_at
        """

    static func topUp(_ row: PostgresRow) throws -> TopUp {
        let (id, account, method, gateway, requestKey, vendorKey, reference, source, amount, currency,
             status, paymentID, code, message, refunded, transaction, attempts, created, updated) = try row.decode(
            (UUID, UUID, UUID, UUID, String, String, String, String, Int64, String,
             String, String?, String?, String?, Int64, UUID?, Int, Date, Date).self)
        let currencyCode = try Currency(currency)
        return TopUp(
            id: id, crawlerAccountID: account, paymentMethodID: method, gatewayID: gateway, requestKey: requestKey, vendorKey: vendorKey,
            reference: reference, source: TopUp.Source(rawValue: source) ?? .manual, amount: Money(micros: amount, currency: currencyCode),
            status: TopUp.Status(rawValue: status) ?? .pending, vendorPaymentID: paymentID, failureCode: code, failureMessage: message,
            refunded: Money(micros: refunded, currency: currencyCode), ledgerTransactionID: transaction, attempts: attempts,
            createdAt: created, updatedAt: updated)
    }

    static func firstTopUp(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> TopUp? {
        try await connection.query(query, logger: logger).first(where: { _ in true }).map(topUp)
    }

    public func createTopUp(_ new: NewTopUp) async throws -> (TopUp, created: Bool) {
        let id = UUID()
        let vendorKey = IdempotencyKey(ledgerKey: "top-up:\(id.uuidString.lowercased())", operation: "charge").raw
        return try await database.withPlatform { connection in
            if let created = try await Self.firstTopUp(
                """
                INSERT INTO top_ups (id, crawler_account_id, payment_method_id, gateway_id, request_key, vendor_key, reference, source,
                                     amount_micros, currency, status)
                VALUES (\(id), \(new.crawlerAccountID), \(new.paymentMethodID), \(new.gatewayID), \(new.requestKey), \(vendorKey),
                        \(PaymentReference.make(id)), \(new.source.rawValue), \(new.amount.micros), \(new.amount.currency.code), 'pending')
                ON CONFLICT DO NOTHING
                RETURNING \(unescaped: Self.topUpColumns)
                """, on: connection, logger: logger)
            {
                return (created, true)
            }
            guard let existing = try await Self.firstTopUp(
                "SELECT \(unescaped: Self.topUpColumns) FROM top_ups WHERE crawler_account_id = \(new.crawlerAccountID) AND request_key = \(new.requestKey)",
                on: connection, logger: logger)
            else {
                // The conflict was the one-automatic-top-up-in-flight index.
                throw PaymentError.requestKeyReused
            }
            guard existing.amount == new.amount, existing.paymentMethodID == new.paymentMethodID else { throw PaymentError.requestKeyReused }
            return (existing, false)
        }
    }

    public func topUp(id: UUID) async throws -> TopUp? {
        try await database.withPlatform { connection in
            try await Self.firstTopUp("SELECT \(unescaped: Self.topUpColumns) FROM top_ups WHERE id = \(id)", on: connection, logger: logger)
        }
    }

    static func topUp(
        gatewayID: UUID, reference: String?, vendorPaymentID: String?, lock: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> TopUp? {
        guard reference != nil || vendorPaymentID != nil else { return nil }
        return try await firstTopUp(
            """
            SELECT \(unescaped: topUpColumns) FROM top_ups
            WHERE gateway_id = \(gatewayID) AND (reference = \(reference) OR vendor_payment_id = \(vendorPaymentID))
            ORDER BY (vendor_payment_id = \(vendorPaymentID)) DESC NULLS LAST LIMIT 1 \(unescaped: lock ? "FOR UPDATE" : "")
            """, on: connection, logger: logger)
    }

    public func topUps(crawlerAccountID: UUID, limit: Int) async throws -> [TopUp] {
        try await database.withPlatform { connection in
            var found: [TopUp] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.topUpColumns) FROM top_ups WHERE crawler_account_id = \(crawlerAccountID)
                ORDER BY created_at DESC, id LIMIT \(limit)
                """, logger: logger)
            {
                found.append(try Self.topUp(row))
            }
            return found
        }
    }

    public func dueTopUps(limit: Int) async throws -> [TopUp] {
        try await database.withPlatform { connection in
            var found: [TopUp] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.topUpColumns) FROM top_ups WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT \(limit)
                """, logger: logger)
            {
                found.append(try Self.topUp(row))
            }
            return found
        }
    }

    public func resolveTopUp(id: UUID, _ resolution: TopUpResolution) async throws -> TopUp {
        try await database.withPlatform { connection in
            guard let topUp = try await Self.firstTopUp(
                "SELECT \(unescaped: Self.topUpColumns) FROM top_ups WHERE id = \(id) FOR UPDATE", on: connection, logger: logger)
            else { throw PaymentError.unknownTopUp }
            return try await Self.resolve(topUp, resolution, on: connection, logger: logger)
        }
    }

    /// Applies a resolution to a locked top-up. Money the vendor took is credited exactly once (ledger key
    /// `top-up:<id>`); every other change only moves a pending top-up forward.
    static func resolve(_ topUp: TopUp, _ resolution: TopUpResolution, on connection: PostgresConnection, logger: Logger) async throws -> TopUp {
        switch resolution {
        case .succeeded(let paymentID):
            guard topUp.status != .succeeded else { return topUp }
            let account = topUp.amount.currency
            let posting = try LedgerPosting(
                idempotencyKey: "top-up:\(topUp.id.uuidString.lowercased())", kind: .topUp, causeType: "top_up",
                causeID: topUp.id.uuidString, memo: "top-up \(topUp.reference)",
                legs: [
                    .init(.crawler(topUp.crawlerAccountID, account), topUp.amount),
                    .init(.platform(.gatewayClearing, account), try topUp.amount.negated()),
                ])
            let accounts = try await LockedAccounts.lock(posting.legs.map(\.account), on: connection, logger: logger)
            let posted = try await PostgresLedgerRepository.post(posting, accounts: accounts, on: connection, logger: logger)
            return try await update(
                topUp.id,
                """
                status = 'succeeded', vendor_payment_id = coalesce(vendor_payment_id, \(paymentID)), ledger_transaction_id = \(posted.id),
                failure_code = NULL, failure_message = NULL
                """, on: connection, logger: logger)
        case .pending(let paymentID):
            guard topUp.status == .pending else { return topUp }
            return try await update(
                topUp.id, "vendor_payment_id = coalesce(vendor_payment_id, \(paymentID)), attempts = attempts + 1, next_attempt_at = now() + interval '30 seconds'",
                on: connection, logger: logger)
        case .declined(let code, let message):
            guard topUp.status == .pending else { return topUp }
            return try await update(
                topUp.id, "status = 'declined', failure_code = \(code), failure_message = \(String(message.prefix(500)))", on: connection, logger: logger)
        case .failed(let message):
            guard topUp.status == .pending else { return topUp }
            return try await update(topUp.id, "status = 'failed', failure_message = \(String(message.prefix(500)))", on: connection, logger: logger)
        case .retry(let at, let why):
            guard topUp.status == .pending else { return topUp }
            return try await update(
                topUp.id, "attempts = attempts + 1, next_attempt_at = \(at), failure_message = \(String(why.prefix(500)))", on: connection, logger: logger)
        }
    }

    private static func update(_ id: UUID, _ assignments: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> TopUp {
        let query = PostgresPaymentRepository.update("top_ups", alias: "t", id: id, assignments, returning: topUpColumns)
        guard let topUp = try await firstTopUp(query, on: connection, logger: logger) else { throw PaymentError.unknownTopUp }
        return topUp
    }
}
