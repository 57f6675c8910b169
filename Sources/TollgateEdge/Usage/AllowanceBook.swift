import Foundation
import NIOConcurrencyHelpers
import TollgateCore

/// The agent's view of its spending allowances: what the control plane granted per crawler account, less the
/// charges spooled here that it has not acknowledged yet. Checked on every paid request, so it is a plain locked
/// dictionary; renewals happen elsewhere, asynchronously.
public final class AllowanceBook: Sendable {
    public enum Authorization: Sendable, Equatable {
        case granted
        /// No allowance is known (or it ran out or lapsed): ask the control plane, then decide.
        case unknown
        case refused(SyncAllowance.Status)
    }

    private struct Entry {
        var status: SyncAllowance.Status
        var remaining: Int64
        var currency: Currency
        var expiresAt: Date
        /// Spooled, not yet acknowledged.
        var pending: Int64 = 0
        /// `remaining` as last granted: renewal starts when less than a quarter of it is left.
        var lastGrant: Int64 = 0
    }

    /// Standalone agents have no control plane and so no allowances: every account may be charged.
    public let enforced: Bool
    private let entries = NIOLockedValueBox<[UUID: Entry]>([:])

    public init(enforced: Bool) {
        self.enforced = enforced
    }

    public func authorize(_ account: UUID, _ price: Money, now: Date) -> Authorization {
        guard enforced else { return .granted }
        return entries.withLockedValue { entries in
            guard let entry = entries[account], entry.currency == price.currency else { return .unknown }
            guard entry.status == .active else { return entry.expiresAt > now ? .refused(entry.status) : .unknown }
            if entry.expiresAt <= now || entry.remaining - entry.pending < price.micros { return .unknown }
            return .granted
        }
    }

    /// After asking: granted, or refused with the control plane's reason.
    public func authorizeAfterRenewal(_ account: UUID, _ price: Money) -> Authorization {
        guard enforced else { return .granted }
        return entries.withLockedValue { entries in
            guard let entry = entries[account] else { return .refused(.suspended) }
            guard entry.status == .active else { return .refused(entry.status) }
            return entry.remaining - entry.pending >= price.micros ? .granted : .refused(.exhausted)
        }
    }

    public func charged(_ account: UUID, _ price: Money) {
        guard enforced else { return }
        entries.withLockedValue { $0[account]?.pending += price.micros }
    }

    /// A spooled charge the control plane has now acknowledged (or that failed to spool).
    public func acknowledged(_ account: UUID, _ price: Money) {
        guard enforced else { return }
        entries.withLockedValue { $0[account]?.pending -= price.micros }
    }

    /// The control plane's figures (from sync, a renewal or a usage acknowledgement) replace ours; `remaining`
    /// already excludes everything it has posted.
    public func update(_ allowances: [SyncAllowance]) {
        guard enforced else { return }
        entries.withLockedValue { entries in
            for allowance in allowances {
                let pending = entries[allowance.crawlerAccountID]?.pending ?? 0
                entries[allowance.crawlerAccountID] = Entry(
                    status: allowance.status, remaining: allowance.remaining.micros,
                    currency: allowance.remaining.currency, expiresAt: allowance.expiresAt, pending: max(0, pending),
                    lastGrant: allowance.remaining.micros)
            }
        }
    }

    /// Accounts to renew before requests have to wait: under a quarter of the last grant left, or lapsing within
    /// `margin`; refused ones once their refusal lapses.
    public func accountsToRenew(now: Date, margin: TimeInterval) -> [UUID] {
        guard enforced else { return [] }
        return entries.withLockedValue { entries in
            entries.compactMap { account, entry in
                guard entry.status == .active else { return entry.expiresAt <= now ? account : nil }
                return entry.expiresAt.timeIntervalSince(now) < margin || entry.remaining - entry.pending < entry.lastGrant / 4
                    ? account : nil
            }
        }
    }

    /// For `/metrics`: what is left per account.
    public var snapshot: [(account: UUID, status: SyncAllowance.Status, available: Money)] {
        entries.withLockedValue { entries in
            entries.map { ($0.key, $0.value.status, Money(micros: $0.value.remaining - $0.value.pending, currency: $0.value.currency)) }
        }
    }
}
