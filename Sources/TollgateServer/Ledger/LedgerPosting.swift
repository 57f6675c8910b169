import Crypto
import Foundation
import TollgateCore

/// A balanced transaction to post: legs that sum to zero in one currency, under an idempotency key.
public struct LedgerPosting: Sendable {
    public enum Kind: String, Sendable, Codable {
        case charge, topUp = "top_up", refund, credit, adjustment, payout
    }

    public struct Leg: Sendable, Hashable {
        public let account: LedgerAccountRef
        public let amount: Money

        public init(_ account: LedgerAccountRef, _ amount: Money) {
            self.account = account
            self.amount = amount
        }
    }

    public let idempotencyKey: String
    public let kind: Kind
    public let causeType: String
    public let causeID: String
    public let memo: String
    public let legs: [Leg]

    /// Checks the shape before anything reaches the database: non-empty key, one currency, no zero legs, sum zero.
    public init(idempotencyKey: String, kind: Kind, causeType: String, causeID: String, memo: String = "", legs: [Leg]) throws(LedgerError) {
        guard (1...255).contains(idempotencyKey.utf8.count) else { throw .invalid("the idempotency key must be 1–255 bytes") }
        guard memo.count <= 500 else { throw .invalid("the memo is longer than 500 characters") }
        let legs = legs.filter { !$0.amount.isZero }
        guard legs.count >= 2, let currency = legs.first?.amount.currency else {
            throw .invalid("a transaction needs at least two non-zero legs")
        }
        for leg in legs where leg.amount.currency != currency || leg.account.currency != currency {
            throw .invalid("every leg must be in \(currency.code); \(leg.account) has \(leg.amount)")
        }
        let total: Money
        do { total = try Money.sum(legs.map(\.amount), currency: currency) } catch { throw .invalid("the legs overflow: \(error)") }
        guard total.isZero else { throw .invalid("the legs sum to \(total), not zero") }
        self.idempotencyKey = idempotencyKey
        self.kind = kind
        self.causeType = causeType
        self.causeID = causeID
        self.memo = memo
        self.legs = legs
    }

    /// What was asked, so a retry under the same key can be told from a different request reusing it.
    var fingerprint: [UInt8] {
        var text = "\(kind.rawValue)\n\(causeType)\n\(causeID)\n\(memo)\n"
        for leg in legs.sorted(by: { $0.account.description < $1.account.description }) {
            text += "\(leg.account) \(leg.amount.micros)\n"
        }
        return Array(SHA256.hash(data: Array(text.utf8)))
    }
}

/// A posted (or, for a repeated idempotency key, previously posted) transaction.
public struct PostedTransaction: Sendable, Equatable {
    public let id: UUID
    public let createdAt: Date
    /// True when the idempotency key had already been used for the same request: nothing new was posted.
    public let replayed: Bool
}
