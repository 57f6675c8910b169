import Foundation
import Logging
import NIOConcurrencyHelpers
import TollgateCore

/// Holds the agent's state: the synced source (changed by sync, rarely) and its compiled form (read by every
/// request). Readers take the current compiled value under a short lock; compiling happens outside it.
public final class StateStore: Sendable {
    private struct Contents {
        var source: EdgeStateSource
        var compiled: EdgeState
        var syncedAt: Date?
    }

    private let contents: NIOLockedValueBox<Contents>
    private let logger: Logger

    public init(source: EdgeStateSource = EdgeStateSource(), logger: Logger) {
        self.logger = logger
        contents = NIOLockedValueBox(
            Contents(source: source, compiled: EdgeState(source: source, logger: logger), syncedAt: nil))
    }

    /// The state requests are decided on.
    public var current: EdgeState { contents.withLockedValue { $0.compiled } }

    public var source: EdgeStateSource { contents.withLockedValue { $0.source } }

    /// When the control plane last answered a sync (nil: never, in this process).
    public var syncedAt: Date? { contents.withLockedValue { $0.syncedAt } }

    /// True once the agent has something to decide on: a policy file, a saved state or a sync.
    public var isReady: Bool { contents.withLockedValue { $0.source.version != nil } }

    /// Applies a sync answer; recompiles only when it changed something.
    public func apply(_ bundle: SyncBundle, now: Date = Date()) {
        var source = self.source
        let changed = !bundle.isEmpty || source.version != bundle.version
        source.apply(bundle, now: now)
        let compiled = changed ? EdgeState(source: source, logger: logger) : nil
        contents.withLockedValue {
            $0.source = source
            if let compiled { $0.compiled = compiled }
            $0.syncedAt = now
        }
    }

    /// Replaces everything, e.g. from a standalone policy file or the saved last-known state.
    public func replace(with source: EdgeStateSource) {
        let compiled = EdgeState(source: source, logger: logger)
        contents.withLockedValue {
            $0.source = source
            $0.compiled = compiled
        }
    }

    /// Drops expired blocklist entries and revocations from the source (the compiled lookup ignores them already).
    public func pruneExpired(now: Date = Date()) {
        var source = self.source
        let before = (source.blocklist.count, source.revokedCrawlTokens.count)
        source.dropExpired(now: now)
        guard before != (source.blocklist.count, source.revokedCrawlTokens.count) else { return }
        replace(with: source)
    }
}
