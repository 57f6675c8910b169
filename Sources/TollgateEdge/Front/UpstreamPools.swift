import NIOCore

/// One `UpstreamPool` per event loop of the server's group, found by the loop a connection runs on. The table is
/// fixed at start, so looking a pool up needs no lock.
struct UpstreamPools: Sendable {
    let configuration: UpstreamConfiguration
    private let pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool>]

    init(configuration: UpstreamConfiguration, group: any EventLoopGroup) {
        self.configuration = configuration
        var pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool>] = [:]
        for eventLoop in group.makeIterator() {
            pools[ObjectIdentifier(eventLoop)] = NIOLoopBoundBox.makeBoxSendingValue(
                UpstreamPool(eventLoop: eventLoop, configuration: configuration), eventLoop: eventLoop)
        }
        self.pools = pools
    }

    /// The pool of the loop the caller runs on.
    func pool(for eventLoop: any EventLoop) -> UpstreamPool {
        // A loop outside the group (not expected) gets a pool of its own rather than sharing across threads.
        pools[ObjectIdentifier(eventLoop)]?.value ?? UpstreamPool(eventLoop: eventLoop, configuration: configuration)
    }

    func closeAll() async {
        await withTaskGroup(of: Void.self) { group in
            for box in pools.values {
                group.addTask { try? await box.eventLoop.submit { box.value.close() }.get() }
            }
        }
    }
}
