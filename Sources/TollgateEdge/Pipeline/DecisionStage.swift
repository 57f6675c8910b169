import TollgateCore
/// One step of the decision pipeline (DESIGN "Edge agent"), cheapest first. A stage may decide the request or add
/// to the context and hand on; later work (catalog, behaviour, challenges) adds stages without touching these.
public protocol DecisionStage: Sendable {
    /// Short and stable: it prefixes the reasons this stage gives in logs and metrics.
    var name: String { get }
    func evaluate(_ context: inout DecisionContext) -> StageOutcome
}

public enum StageOutcome: Sendable {
    case next
    case decided(PendingVerdict)
}
