import Foundation
import TollgateCore

/// One paid request as the edge recorded it; `id` is unique platform-wide (the edge uses agent id + sequence).
public struct UsageEvent: Sendable, Hashable, Codable {
    public let id: String
    public let crawlerAccountID: UUID
    public let siteID: UUID
    public let url: String
    public let price: Money
    public let occurredAt: Date
    /// The edge agent that reported it; its allowance on the account is charged with the event (migration 0009).
    public let agentID: UUID?
    /// What makes two events the same purchase (crawler key id + signature nonce + URL); nil when the request had
    /// none. The account is charged once per key, whichever agent reports it (migration 0011).
    public let requestKey: String?

    public init(
        id: String, crawlerAccountID: UUID, siteID: UUID, url: String, price: Money, occurredAt: Date, agentID: UUID? = nil,
        requestKey: String? = nil
    ) {
        self.id = id
        self.crawlerAccountID = crawlerAccountID
        self.siteID = siteID
        self.url = url
        self.price = price
        self.occurredAt = occurredAt
        self.agentID = agentID
        self.requestKey = requestKey
    }
}

/// What became of a usage event. Re-sending an event returns its first outcome with `duplicate` set.
public struct ChargeOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Codable {
        case posted, rejected
    }

    /// Why a charge was refused; recorded, so a re-send gets the same answer.
    public enum Reason: String, Sendable, Codable {
        case insufficientFunds = "insufficient_funds"
        case dailyCap = "daily_cap"
        case monthlyCap = "monthly_cap"
        case accountSuspended = "account_suspended"
        case currencyMismatch = "currency_mismatch"
        case unknownAccount = "unknown_account"
        case unknownSite = "unknown_site"
        case invalidEvent = "invalid_event"
        /// Another event with the same request key was already charged: a retry, not a second purchase.
        case duplicateRequest = "duplicate_request"
    }

    public let eventID: String
    public let status: Status
    public let reason: Reason?
    public let transactionID: UUID?
    public let duplicate: Bool
}
