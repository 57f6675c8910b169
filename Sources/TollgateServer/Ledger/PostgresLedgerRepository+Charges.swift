import Crypto
import Foundation
import Logging
import PostgresNIO
import TollgateCore

extension PostgresLedgerRepository {
    private struct CrawlerAccountRow {
        let currency: Currency
        let active: Bool
        let dailyCap: Int64?
        let monthlyCap: Int64?
    }

    /// Every event's outcome is stored under its id (posted with its ledger transaction, or rejected with a reason),
    /// so a re-sent batch changes nothing and gets the same answers. All accounts the batch touches are locked up
    /// front in one order, which serialises batches that share an account and rules out deadlocks.
    public func postCharges(_ events: [UsageEvent], platformFeeBasisPoints: Int) async throws -> [ChargeOutcome] {
        guard !events.isEmpty else { return [] }
        let logger = database.logger
        return try await database.withPlatform { connection in
            let accountIDs = Array(Set(events.map(\.crawlerAccountID)))
            var crawlerAccounts: [UUID: CrawlerAccountRow] = [:]
            let accountRows = try await connection.query(
                "SELECT id, currency, status, daily_cap_micros, monthly_cap_micros FROM crawler_accounts WHERE id = ANY(\(accountIDs))",
                logger: logger)
            for try await (id, currency, status, daily, monthly) in accountRows.decode((UUID, String, String, Int64?, Int64?).self) {
                crawlerAccounts[id] = CrawlerAccountRow(
                    currency: try Currency(currency), active: status == "active", dailyCap: daily, monthlyCap: monthly)
            }
            let siteIDs = Array(Set(events.map(\.siteID)))
            var siteTenants: [UUID: UUID] = [:]
            for try await (id, tenantID) in try await connection.query(
                "SELECT id, tenant_id FROM sites WHERE id = ANY(\(siteIDs))", logger: logger
            ).decode((UUID, UUID).self) {
                siteTenants[id] = tenantID
            }

            var refs: Set<LedgerAccountRef> = []
            for event in events {
                guard let account = crawlerAccounts[event.crawlerAccountID], let tenantID = siteTenants[event.siteID],
                    account.currency == event.price.currency
                else { continue }
                refs.insert(.crawler(event.crawlerAccountID, account.currency))
                refs.insert(.tenantEarnings(tenantID, account.currency))
                refs.insert(.platform(.platformFees, account.currency))
            }
            let locked = try await LockedAccounts.lock(refs, on: connection, logger: logger)

            var earlier: [String: ChargeOutcome] = [:]
            let eventIDs = events.map(\.id)
            for try await (id, status, reason, transactionID) in try await connection.query(
                "SELECT event_id, status, reason, transaction_id FROM charges WHERE event_id = ANY(\(eventIDs))", logger: logger
            ).decode((String, String, String?, UUID?).self) {
                earlier[id] = ChargeOutcome(
                    eventID: id, status: ChargeOutcome.Status(rawValue: status) ?? .rejected,
                    reason: reason.flatMap(ChargeOutcome.Reason.init(rawValue:)), transactionID: transactionID, duplicate: true)
            }

            var outcomes: [ChargeOutcome] = []
            for event in events {
                if let seen = earlier[event.id] {
                    outcomes.append(ChargeOutcome(eventID: seen.eventID, status: seen.status, reason: seen.reason, transactionID: seen.transactionID, duplicate: true))
                    continue
                }
                let outcome = try await Self.charge(
                    event, account: crawlerAccounts[event.crawlerAccountID], tenantID: siteTenants[event.siteID], locked: locked,
                    feeBasisPoints: platformFeeBasisPoints, on: connection, logger: logger)
                earlier[event.id] = outcome
                outcomes.append(outcome)
            }
            return outcomes
        }
    }

    public func postedCharge(eventID: String) async throws -> PostedCharge? {
        try await database.withPlatform { connection in
            try await connection.query(
                """
                SELECT transaction_id, crawler_account_id, tenant_id, site_id, url, price_micros, currency, occurred_at, posted_at
                FROM charges WHERE event_id = \(eventID) AND status = 'posted'
                """, logger: database.logger
            ).decode((UUID, UUID, UUID, UUID, String, Int64, String, Date, Date).self).first { _ in true }
                .map { row in
                    PostedCharge(
                        eventID: eventID, transactionID: row.0, crawlerAccountID: row.1, tenantID: row.2, siteID: row.3, url: row.4,
                        price: Money(micros: row.5, currency: try Currency(row.6)), occurredAt: row.7, postedAt: row.8)
                }
        }
    }

    private static func charge(
        _ event: UsageEvent, account: CrawlerAccountRow?, tenantID: UUID?, locked: LockedAccounts, feeBasisPoints: Int,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> ChargeOutcome {
        guard (1...200).contains(event.id.utf8.count), event.url.utf8.count <= 4096, event.price.micros > 0 else {
            // Not storable as a charge; the same event always gets this same answer, so nothing needs recording.
            return ChargeOutcome(eventID: event.id, status: .rejected, reason: .invalidEvent, transactionID: nil, duplicate: false)
        }
        let requestKey = event.requestKey.map { Data(SHA256.hash(data: Data($0.utf8))) }
        func reject(_ reason: ChargeOutcome.Reason) async throws -> ChargeOutcome {
            try await connection.query(
                """
                INSERT INTO charges (event_id, status, reason, tenant_id, site_id, crawler_account_id, url, price_micros, currency, occurred_at,
                                     agent_id, request_key_sha256)
                VALUES (\(event.id), 'rejected', \(reason.rawValue), \(tenantID), \(tenantID == nil ? nil : event.siteID),
                        \(account == nil ? nil : event.crawlerAccountID), \(event.url), \(event.price.micros), \(event.price.currency.code), \(event.occurredAt),
                        \(event.agentID), \(requestKey))
                ON CONFLICT (event_id) DO NOTHING
                """, logger: logger)
            return ChargeOutcome(eventID: event.id, status: .rejected, reason: reason, transactionID: nil, duplicate: false)
        }
        guard let account else { return try await reject(.unknownAccount) }
        guard let tenantID else { return try await reject(.unknownSite) }
        // The account's rows are locked (see postCharges), so no other batch can post this key meanwhile.
        if let requestKey {
            let charged = try await connection.query(
                """
                SELECT 1 FROM charges
                WHERE crawler_account_id = \(event.crawlerAccountID) AND request_key_sha256 = \(requestKey) AND status = 'posted'
                """, logger: logger
            ).decode(Int32.self).first { _ in true }
            if charged != nil { return try await reject(.duplicateRequest) }
        }
        guard account.active else { return try await reject(.accountSuspended) }
        guard account.currency == event.price.currency else { return try await reject(.currencyMismatch) }
        let crawler = LedgerAccountRef.crawler(event.crawlerAccountID, account.currency)
        guard locked.available(crawler) >= event.price.micros else { return try await reject(.insufficientFunds) }

        let spentRow = try await connection.query(
            """
            WITH d AS (SELECT (\(event.occurredAt)::timestamptz AT TIME ZONE 'UTC')::date AS day)
            SELECT coalesce(sum(s.spent_micros) FILTER (WHERE s.day = d.day), 0)::bigint, coalesce(sum(s.spent_micros), 0)::bigint
            FROM d LEFT JOIN crawler_spend_days s ON s.crawler_account_id = \(event.crawlerAccountID)
              AND s.day >= date_trunc('month', d.day)::date AND s.day < (date_trunc('month', d.day) + interval '1 month')::date
            GROUP BY d.day
            """, logger: logger
        ).decode((Int64, Int64).self).first { _ in true }
        let spent = spentRow ?? (0, 0)
        if let cap = account.dailyCap, spent.0 + event.price.micros > cap { return try await reject(.dailyCap) }
        if let cap = account.monthlyCap, spent.1 + event.price.micros > cap { return try await reject(.monthlyCap) }

        let split = try event.price.split(feeBasisPoints: feeBasisPoints)
        let posting = try LedgerPosting(
            idempotencyKey: "charge:\(event.id)", kind: .charge, causeType: "usage_event", causeID: event.id,
            memo: String(event.url.prefix(500)),
            legs: [
                .init(crawler, try event.price.negated()),
                .init(.tenantEarnings(tenantID, account.currency), split.net),
                .init(.platform(.platformFees, account.currency), split.fee),
            ])
        let posted = try await post(posting, accounts: locked, on: connection, logger: logger)
        try await connection.query(
            """
            INSERT INTO crawler_spend_days (crawler_account_id, day, spent_micros)
            VALUES (\(event.crawlerAccountID), (\(event.occurredAt)::timestamptz AT TIME ZONE 'UTC')::date, \(event.price.micros))
            ON CONFLICT (crawler_account_id, day) DO UPDATE SET spent_micros = crawler_spend_days.spent_micros + EXCLUDED.spent_micros
            """, logger: logger)
        // A trigger adds the price to the reporting agent's allowance in this same transaction (migration 0009).
        try await connection.query(
            """
            INSERT INTO charges (event_id, status, transaction_id, tenant_id, site_id, crawler_account_id, url, price_micros, currency,
                                 fee_micros, occurred_at, agent_id, request_key_sha256)
            VALUES (\(event.id), 'posted', \(posted.id), \(tenantID), \(event.siteID), \(event.crawlerAccountID), \(event.url),
                    \(event.price.micros), \(event.price.currency.code), \(split.fee.micros), \(event.occurredAt), \(event.agentID),
                    \(requestKey))
            """, logger: logger)
        return ChargeOutcome(eventID: event.id, status: .posted, reason: nil, transactionID: posted.id, duplicate: false)
    }
}
