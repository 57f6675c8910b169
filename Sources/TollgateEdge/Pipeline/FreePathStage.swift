import TollgateCore
/// Always-free paths (`/robots.txt`, sitemaps, …) and the site's own free patterns pass without identity checks,
/// blocking or charging (protocols §1.6).
struct FreePathStage: DecisionStage {
    var name: String { "free_path" }

    func evaluate(_ context: inout DecisionContext) -> StageOutcome {
        guard let quoter = context.site?.quoter, quoter.isFreePath(context.request.target) else { return .next }
        let record = context.record(.pass, "pricing.free_path")
        return .decided(.now(.forward(Forwarding.plan(context, record: record, pricing: .bypass, hook: nil))))
    }
}
