import NIOHTTP1
import TollgateCore

/// Finds the site the request is for. Without one the request cannot be priced, and the fail mode decides.
struct SiteStage: DecisionStage {
    let failMode: FailMode
    var name: String { "site" }

    func evaluate(_ context: inout DecisionContext) -> StageOutcome {
        if let site = context.state.site(forHostname: context.request.hostname) {
            context.site = site
            return .next
        }
        let reason = context.state.version == nil ? "site.no_state" : "site.unknown_host"
        switch failMode {
        case .open:
            let record = context.record(.pass, reason)
            return .decided(.now(.forward(Forwarding.plan(context, record: record, pricing: .bypass, hook: nil))))
        case .closed:
            let message = context.state.version == nil
                ? "This site's access policy has not been loaded yet; retry shortly."
                : "No site is configured for host \(context.request.hostname)."
            var response = EdgeResponse.text(.serviceUnavailable, message + "\n", headers: ["retry-after": "5"])
            response.headers.add(name: "cache-control", value: "no-store")
            return .decided(.now(.respond(response, context.record(.error, reason))))
        }
    }
}
