import Crypto
import Foundation
import TollgateCore

/// A key every vendor accepts: 26 characters of base32 derived from the ledger's own key and the operation, so a
/// retry after a crash re-sends the same key (Stripe allows 255, PayPal 108, Adyen 64, Square 45 characters;
/// Authorize.Net has none and gets it truncated to its 20-character refId).
public struct IdempotencyKey: Sendable, Hashable, CustomStringConvertible {
    public let raw: String

    public init(ledgerKey: String, operation: String) {
        let digest = SHA256.hash(data: Array("\(operation)\n\(ledgerKey)".utf8))
        raw = String(Base32.encode(Array(digest.prefix(16))).prefix(26))
    }

    /// Authorize.Net's refId limit.
    public var refID: String { String(raw.prefix(20)) }

    public var description: String { raw }
}
