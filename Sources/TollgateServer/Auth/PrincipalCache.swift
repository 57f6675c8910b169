import Foundation
import Synchronization

/// Recently verified credentials, so an authenticated request usually costs no database round trip.
/// Entries live `lifetime` at most; changes made through this process (revocation, role change, suspension,
/// sign-out) drop the tenant's entries at once, other replicas see them within `lifetime`.
final class PrincipalCache: Sendable {
    private struct Entry {
        let principal: Principal
        let validUntil: ContinuousClock.Instant
    }

    private let entries = Mutex<[[UInt8]: Entry]>([:])
    private let lifetime: Duration
    private let capacity = 100_000

    init(lifetime: Duration) { self.lifetime = lifetime }

    func principal(for tokenHash: [UInt8]) -> Principal? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[tokenHash] else { return nil }
            guard entry.validUntil > now, entry.principal.expiresAt.map({ $0 > Date() }) ?? true else {
                entries[tokenHash] = nil
                return nil
            }
            return entry.principal
        }
    }

    func store(_ principal: Principal, for tokenHash: [UInt8]) {
        guard lifetime > .zero else { return }
        let validUntil = ContinuousClock.now + lifetime
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[tokenHash] = Entry(principal: principal, validUntil: validUntil)
        }
    }

    func invalidate(tenantID: UUID) {
        entries.withLock { entries in
            entries = entries.filter { $0.value.principal.tenant.id != tenantID }
        }
    }
}
