import Foundation

/// `POST /v1/agent/usage`: charges the agent recorded, each under its own per-agent sequence number. The control
/// plane posts each event exactly once (event id `agent:<agent id>:<sequence>`), so a batch re-sent after a lost
/// answer, a crash or a restart changes nothing and gets the same results.
public struct UsageBatch: Sendable, Hashable, Codable {
    public var events: [UsageRecord]

    public init(events: [UsageRecord]) {
        self.events = events
    }
}

/// One charged request, as spooled by the edge.
public struct UsageRecord: Sendable, Hashable, Codable {
    /// Strictly increasing per agent, starting at 1, never reused (it survives restarts in the spool).
    public var sequence: UInt64
    public var crawlerAccountID: UUID
    public var siteID: UUID
    /// The charged URL (`https://host/path?query`).
    public var url: String
    public var price: Money
    public var occurredAt: Date
    /// Pay-per-crawl idempotency (protocols §1.7): key id + nonce (or a hash of the signature) + URL, so a crawler's
    /// retried request is not billed twice; nil when the request carried none.
    public var requestKey: String?

    public init(
        sequence: UInt64, crawlerAccountID: UUID, siteID: UUID, url: String, price: Money, occurredAt: Date,
        requestKey: String? = nil
    ) {
        self.sequence = sequence
        self.crawlerAccountID = crawlerAccountID
        self.siteID = siteID
        self.url = url
        self.price = price
        self.occurredAt = occurredAt
        self.requestKey = requestKey
    }

    private enum CodingKeys: String, CodingKey {
        case sequence, url, price
        case crawlerAccountID = "crawler_account_id"
        case siteID = "site_id"
        case occurredAt = "occurred_at"
        case requestKey = "request_key"
    }
}

/// The answer to a `UsageBatch`: one result per event, in order, plus the allowances of the accounts touched.
public struct UsageBatchResult: Sendable, Hashable, Codable {
    public struct EventResult: Sendable, Hashable, Codable {
        public enum Status: String, Sendable, Hashable, Codable {
            case posted, rejected
        }

        public var sequence: UInt64
        public var status: Status
        /// Why a charge was refused (`insufficient_funds`, `daily_cap`, …).
        public var reason: String?
        /// True when this event had been received before; nothing was posted again.
        public var duplicate: Bool

        public init(sequence: UInt64, status: Status, reason: String?, duplicate: Bool) {
            self.sequence = sequence
            self.status = status
            self.reason = reason
            self.duplicate = duplicate
        }
    }

    public var results: [EventResult]
    public var allowances: [SyncAllowance]

    public init(results: [EventResult], allowances: [SyncAllowance]) {
        self.results = results
        self.allowances = allowances
    }
}
