import Foundation

/// What this agent may still charge one crawler account before it asks again (DESIGN "Spending allowances").
///
/// `remaining` is granted minus what the control plane has already posted from this agent; the agent subtracts the
/// charges it has spooled but not yet had acknowledged. A status other than `active` means no allowance: the edge
/// answers 402 until the account is funded or uncapped and a new allowance arrives.
public struct SyncAllowance: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case active
        /// The balance (less other agents' allowances) is used up.
        case exhausted
        /// A daily or monthly spending cap is reached.
        case capped
        /// The account or its operator is suspended.
        case suspended
    }

    public var crawlerAccountID: UUID
    public var status: Status
    public var remaining: Money
    /// When the agent should ask again even if it has not spent it (balances move).
    public var expiresAt: Date

    public init(crawlerAccountID: UUID, status: Status, remaining: Money, expiresAt: Date) {
        self.crawlerAccountID = crawlerAccountID
        self.status = status
        self.remaining = remaining
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey {
        case status, remaining
        case crawlerAccountID = "crawler_account_id"
        case expiresAt = "expires_at"
    }
}

/// `POST /v1/agent/allowances`: ask for (more) allowance on these accounts.
public struct AllowanceRequest: Sendable, Hashable, Codable {
    public var crawlerAccountIDs: [UUID]

    public init(crawlerAccountIDs: [UUID]) {
        self.crawlerAccountIDs = crawlerAccountIDs
    }

    private enum CodingKeys: String, CodingKey {
        case crawlerAccountIDs = "crawler_account_ids"
    }
}

/// The answer to an `AllowanceRequest` (and part of a usage acknowledgement).
public struct AllowanceGrant: Sendable, Hashable, Codable {
    public var allowances: [SyncAllowance]

    public init(allowances: [SyncAllowance]) {
        self.allowances = allowances
    }
}
