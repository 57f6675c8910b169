import Foundation
import TollgateCore

/// How much of a crawler account's money one agent may hold (DESIGN.md "Spending allowances"). Each grant gives the
/// asking agent a slice of what no other agent holds, so the sum of all agents' remaining allowances never exceeds
/// what the account may spend: worst-case overspend is bounded by the outstanding allowances themselves.
struct AllowancePolicy: Sendable {
    /// The share of the unclaimed money one grant takes, leaving the rest to the account's other agents.
    var shareBasisPoints: Int64 = 2_500
    /// The least a grant aims for, so a low balance is not cut into slivers (still never more than is unclaimed).
    var floorMicros: Int64 = 1_000_000
    /// The most one agent holds at a time: 10 units of the account's currency (USD 10).
    var capMicros: Int64 = 10_000_000
    /// How long an active allowance lasts before the agent asks again (balances move).
    var lifetime: TimeInterval = 300
    /// How long a refusal (exhausted, capped, suspended) stands before the agent asks again.
    var refusalLifetime: TimeInterval = 60

    /// The account as one grant sees it, read with the account locked.
    struct AccountState: Sendable {
        /// The account and its operator are active.
        let active: Bool
        /// What charges may still spend: balance plus overdraft limit.
        let spendable: Int64
        /// Remaining allowances other agents hold (active, unexpired).
        let othersOutstanding: Int64
        /// What the daily and monthly caps still let the account spend; nil without caps.
        let capHeadroom: Int64?
    }

    struct Decision: Sendable, Equatable {
        let status: SyncAllowance.Status
        /// What the agent holds after the grant (its remaining allowance).
        let remainingMicros: Int64
        let lifetime: TimeInterval
    }

    func decide(_ state: AccountState) -> Decision {
        guard state.active else { return refusal(.suspended) }
        var unclaimed = state.spendable - state.othersOutstanding
        if let capHeadroom = state.capHeadroom {
            let capUnclaimed = capHeadroom - state.othersOutstanding
            guard capUnclaimed > 0 else { return refusal(.capped) }
            unclaimed = min(unclaimed, capUnclaimed)
        }
        guard unclaimed > 0 else { return refusal(.exhausted) }
        // unclaimed × share / 10 000 without overflowing for very large balances.
        let share = unclaimed / 10_000 * shareBasisPoints + unclaimed % 10_000 * shareBasisPoints / 10_000
        let target = min(unclaimed, max(share, floorMicros), capMicros)
        return Decision(status: .active, remainingMicros: target, lifetime: lifetime)
    }

    private func refusal(_ status: SyncAllowance.Status) -> Decision {
        Decision(status: status, remainingMicros: 0, lifetime: refusalLifetime)
    }
}
