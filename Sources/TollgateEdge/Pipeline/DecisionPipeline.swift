import Foundation
import NIOCore
import NIOHTTP1
import TollgateCore

/// The agent's `EdgeDecider`: runs the stages in order on the current state until one decides; a request no stage
/// decides is passed through unpriced. A class, so the connections share it rather than copy it per request.
public final class DecisionPipeline: EdgeDecider {
    public let stages: [any DecisionStage]
    let store: StateStore
    let observer: any DecisionObserver

    public init(stages: [any DecisionStage], store: StateStore, observer: any DecisionObserver) {
        self.stages = stages
        self.store = store
        self.observer = observer
    }

    /// The standard stages: site, free paths, identity, blocklist, pay-per-crawl.
    public static func standardStages(
        failMode: FailMode, responses: PayPerCrawlResponses, spool: UsageSpool, allowances: AllowanceBook,
        renewer: (any AllowanceRenewing)?, renewalTimeout: TimeAmount = .seconds(3)
    ) -> [any DecisionStage] {
        [
            SiteStage(failMode: failMode),
            FreePathStage(),
            IdentityStage(verifier: WebBotAuthVerifier(clockSkew: 30), responses: responses),
            BlocklistStage(responses: responses),
            PayPerCrawlStage(
                responses: responses, spool: spool, recentCharges: RecentCharges(), allowances: allowances, renewer: renewer, failMode: failMode,
                renewalTimeout: renewalTimeout),
        ]
    }

    public func decide(_ request: EdgeRequest, on eventLoop: any EventLoop) -> PendingVerdict {
        var context = DecisionContext(request: request, state: store.current, now: Date(), eventLoop: eventLoop)
        // By index: the stages are borrowed where they stand, not copied out as an iterator would.
        for index in stages.indices {
            if case .decided(let verdict) = stages[index].evaluate(&context) { return verdict }
        }
        let pricing: Forwarding.Pricing = .bypass
        let record = context.record(.pass, context.identity == nil ? "default.anonymous" : "default.unpriced")
        return .now(.forward(Forwarding.plan(context, record: record, pricing: pricing, hook: nil)))
    }

    public func completed(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        observer.observe(request, record: record, status: status, seconds: seconds)
    }
}

/// Receives every finished exchange: metrics and the access log.
public protocol DecisionObserver: Sendable {
    func observe(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double)
}
