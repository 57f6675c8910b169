import Crypto
import Foundation
import NIOConcurrencyHelpers

/// The requests charged recently, by their pay-per-crawl idempotency key (key id + nonce + URL, protocols §1.7), so
/// a crawler that retries the very same signed request is not billed twice. A key is remembered until its
/// signature expires (after which the request would be refused anyway); keys are stored as SHA-256 digests and the
/// set is bounded, oldest expiry dropped first.
public final class RecentCharges: Sendable {
    private struct State {
        var keys: [SHA256Digest: Int64] = [:]
        /// Keys by the second they lapse, to forget them without scanning.
        var byExpiry: [Int64: [SHA256Digest]] = [:]
        var oldest: Int64 = .max
    }

    public let capacity: Int
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int = 2_000_000) {
        self.capacity = capacity
    }

    /// Records `key` as charged until `expires` (Unix seconds); false when it already was, i.e. this is a retry.
    public func claim(_ key: String, until expires: Int64, now: Date) -> Bool {
        let digest = SHA256.hash(data: Array(key.utf8))
        let second = Int64(now.timeIntervalSince1970)
        return state.withLockedValue { state in
            forget(before: second, in: &state)
            if let lapses = state.keys[digest], lapses >= second { return false }
            if state.keys.count >= capacity { forget(before: state.oldest + 1, in: &state) }
            state.keys[digest] = expires
            state.byExpiry[expires, default: []].append(digest)
            state.oldest = min(state.oldest, expires)
            return true
        }
    }

    /// Forgets a claim whose charge could not be recorded, so the retry is charged.
    public func release(_ key: String) {
        let digest = SHA256.hash(data: Array(key.utf8))
        state.withLockedValue { _ = $0.keys.removeValue(forKey: digest) }
    }

    public var count: Int { state.withLockedValue { $0.keys.count } }

    private func forget(before second: Int64, in state: inout State) {
        guard state.oldest < second else { return }
        for expiry in state.byExpiry.keys where expiry < second {
            for digest in state.byExpiry.removeValue(forKey: expiry) ?? [] where state.keys[digest] == expiry {
                state.keys.removeValue(forKey: digest)
            }
        }
        state.oldest = state.byExpiry.keys.min() ?? .max
    }
}
