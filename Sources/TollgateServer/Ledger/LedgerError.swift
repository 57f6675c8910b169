import Foundation
import TollgateCore

public enum LedgerError: Error, Equatable, CustomStringConvertible {
    /// The posting is malformed (unbalanced, mixed currencies, bad key); nothing was written.
    case invalid(String)
    /// The idempotency key was used before for a different request.
    case idempotencyConflict(String)
    /// The debit would take a crawler balance below its overdraft limit.
    case insufficientFunds(account: String, available: Money)

    public var description: String {
        switch self {
        case .invalid(let why): "invalid ledger posting: \(why)"
        case .idempotencyConflict(let key): "idempotency key '\(key)' was already used for a different request"
        case .insufficientFunds(let account, let available): "\(account) has only \(available) available"
        }
    }
}
