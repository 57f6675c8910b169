import Foundation
import PostgresNIO
import TollgateCore

extension PostgresPaymentRepository {
    public func setAutoTopUp(_ settings: AutoTopUpSettings?, crawlerAccountID: UUID) async throws {
        try await database.withPlatform { connection in
            guard let settings else {
                try await connection.query("DELETE FROM auto_top_ups WHERE crawler_account_id = \(crawlerAccountID)", logger: logger)
                return
            }
            try await connection.query(
                """
                INSERT INTO auto_top_ups (crawler_account_id, payment_method_id, threshold_micros, amount_micros, enabled, last_failure)
                VALUES (\(crawlerAccountID), \(settings.paymentMethodID), \(settings.threshold.micros), \(settings.amount.micros), \(settings.enabled), NULL)
                ON CONFLICT (crawler_account_id) DO UPDATE SET payment_method_id = excluded.payment_method_id,
                  threshold_micros = excluded.threshold_micros, amount_micros = excluded.amount_micros, enabled = excluded.enabled,
                  last_failure = NULL, updated_at = now()
                """, logger: logger)
        }
    }

    private static let autoColumns = """
        a.crawler_account_id, a.payment_method_id, a.threshold_micros, a.amount_micros, a.enabled, a.last_failure, c.currency
        """

    private static func autoTopUp(_ row: PostgresRow) throws -> AutoTopUpSettings {
        let (account, method, threshold, amount, enabled, failure, currency) = try row.decode((UUID, UUID, Int64, Int64, Bool, String?, String).self)
        let code = try Currency(currency)
        return AutoTopUpSettings(
            crawlerAccountID: account, paymentMethodID: method, threshold: Money(micros: threshold, currency: code),
            amount: Money(micros: amount, currency: code), enabled: enabled, lastFailure: failure)
    }

    public func autoTopUp(crawlerAccountID: UUID) async throws -> AutoTopUpSettings? {
        try await database.withPlatform { connection in
            try await connection.query(
                """
                SELECT \(unescaped: Self.autoColumns) FROM auto_top_ups a JOIN crawler_accounts c ON c.id = a.crawler_account_id
                WHERE a.crawler_account_id = \(crawlerAccountID)
                """, logger: logger
            ).first(where: { _ in true }).map(Self.autoTopUp)
        }
    }

    public func autoTopUpsDue() async throws -> [AutoTopUpSettings] {
        try await database.withPlatform { connection in
            var due: [AutoTopUpSettings] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.autoColumns) FROM auto_top_ups a JOIN crawler_accounts c ON c.id = a.crawler_account_id
                LEFT JOIN ledger_accounts l ON l.kind = 'crawler_balance' AND l.crawler_account_id = a.crawler_account_id AND l.currency = c.currency
                WHERE a.enabled AND a.last_failure IS NULL AND c.status = 'active'
                  AND coalesce(l.balance_micros, 0) < a.threshold_micros
                  AND NOT EXISTS (SELECT 1 FROM top_ups t WHERE t.crawler_account_id = a.crawler_account_id AND t.status = 'pending')
                ORDER BY a.updated_at LIMIT 100
                """, logger: logger)
            {
                due.append(try Self.autoTopUp(row))
            }
            return due
        }
    }

    public func recordAutoTopUpFailure(crawlerAccountID: UUID, message: String?) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE auto_top_ups SET last_failure = \(message.map { String($0.prefix(500)) }) WHERE crawler_account_id = \(crawlerAccountID)",
                logger: logger)
        }
    }
}
