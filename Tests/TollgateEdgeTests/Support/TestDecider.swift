import NIOCore
import NIOHTTP1
import Synchronization
@testable import TollgateEdge

/// A decider driven by a closure, recording what it was asked and what it was told.
final class TestDecider: EdgeDecider {
    struct Completion: Sendable {
        var request: EdgeRequest
        var record: DecisionRecord
        var status: HTTPResponseStatus
        var seconds: Double
    }

    private let verdict: @Sendable (EdgeRequest, any EventLoop) -> PendingVerdict
    private let state = Mutex<(decided: [EdgeRequest], completions: [Completion])>(([], []))

    init(_ verdict: @escaping @Sendable (EdgeRequest, any EventLoop) -> PendingVerdict) {
        self.verdict = verdict
    }

    /// Forwards everything unchanged.
    static func forwarding(_ plan: ForwardPlan = ForwardPlan(record: .init(action: "pass", reason: "test"))) -> TestDecider {
        TestDecider { _, _ in .now(.forward(plan)) }
    }

    func decide(_ request: EdgeRequest, on eventLoop: any EventLoop) -> PendingVerdict {
        state.withLock { $0.decided.append(request) }
        return verdict(request, eventLoop)
    }

    func completed(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        state.withLock { $0.completions.append(Completion(request: request, record: record, status: status, seconds: seconds)) }
    }

    var decided: [EdgeRequest] { state.withLock { $0.decided } }
    var completions: [Completion] { state.withLock { $0.completions } }

    /// The completions once there are `count` of them (they are reported on the server's loop, at response end).
    func completions(count: Int) async throws -> [Completion] {
        for _ in 0..<200 {
            let completions = self.completions
            if completions.count >= count { return completions }
            try await Task.sleep(for: .milliseconds(10))
        }
        return completions
    }
}

/// A response hook that records the heads it saw and adds a header, or fails.
final class TestHook: UpstreamResponseHook {
    struct Failure: Error {}

    private let seen = Mutex<[HTTPResponseStatus]>([])
    let fails: Bool

    init(fails: Bool = false) {
        self.fails = fails
    }

    var statuses: [HTTPResponseStatus] { seen.withLock { $0 } }

    func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HookDecision> {
        seen.withLock { $0.append(head.status) }
        if fails { return eventLoop.makeFailedFuture(Failure()) }
        var charged = head
        charged.headers.remove(name: "crawler-price")
        charged.headers.add(name: "crawler-charged", value: "USD 0.01")
        let answer = HookDecision.send(charged)
        // Completes on a later loop tick, as a hook that spools to disk would.
        return eventLoop.scheduleTask(in: .milliseconds(5)) { answer }.futureResult
    }
}
