import NIOConcurrencyHelpers
import NIOPosix

/// One locked value per thread that records, every one reachable by readers. Each event loop writes to its own, so
/// requests on different loops never wait on one lock, nor on a loop the scheduler paused while it held it; only the
/// occasional reader (a metrics push, the access-log writer) visits them all.
final class PerThreadShards<Value: Sendable>: Sendable {
    final class Shard: Sendable {
        private let box: NIOLockedValueBox<Value>

        init(_ value: Value) {
            box = NIOLockedValueBox(value)
        }

        func withLockedValue<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
            try box.withLockedValue(body)
        }
    }

    private let current = ThreadSpecificVariable<Shard>()
    private let registered = NIOLockedValueBox<[Shard]>([])
    private let initial: @Sendable () -> Value

    init(_ initial: @escaping @Sendable () -> Value) {
        self.initial = initial
    }

    /// This thread's shard, made on first use.
    var local: Shard {
        if let shard = current.currentValue { return shard }
        let shard = Shard(initial())
        current.currentValue = shard
        registered.withLockedValue { $0.append(shard) }
        return shard
    }

    var all: [Shard] { registered.withLockedValue { $0 } }
}
