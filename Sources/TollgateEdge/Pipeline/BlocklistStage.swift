import NIOHTTP1
import TollgateCore
/// Tenant and platform blocklist decisions (IP, CIDR, crawler, user agent) with expiry. A block beats pay-per-crawl:
/// 403 `CrawlerForbidden` even when the request offers to pay; an allow entry passes uncharged.
struct BlocklistStage: DecisionStage {
    let responses: PayPerCrawlResponses
    var name: String { "blocklist" }

    func evaluate(_ context: inout DecisionContext) -> StageOutcome {
        guard let site = context.site, !context.state.blocklist.isEmpty,
            let entry = context.state.blocklist.match(
                tenantID: site.tenantID, address: context.clientAddress, crawler: context.identity?.name,
                userAgent: context.request.headers.first(name: "user-agent"), now: context.now)
        else { return .next }
        let reason = "blocklist.\(entry.scope.rawValue)"
        switch entry.action {
        case .allow:
            let record = context.record(.pass, reason)
            return .decided(.now(.forward(Forwarding.plan(context, record: record, pricing: .bypass, hook: nil))))
        case .block:
            let response = responses.error(
                .crawlerForbidden, "Access to this site is blocked for this client (\(entry.reason)).")
            return .decided(.now(.respond(response, context.record(.block, reason))))
        }
    }
}
