import Foundation
import Hummingbird

/// `GET /v1/earnings`: what the tenant's sites earned, by crawler account, site or day, and the earnings balance.
struct EarningsController {
    let ledger: any LedgerRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("earnings", use: statement)
    }

    func statement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.billingRead)
        let query = try StatementQuery(request, allowed: [.crawler, .site, .day], defaultGrouping: .day)
        let lines = try await ledger.earnings(tenantID: principal.tenant.id, groupBy: query.groupBy, from: query.from, to: query.to)
        let balances = try await ledger.earningsBalances(tenantID: principal.tenant.id)
        return try .json(StatementResponse(groupBy: query.groupBy.rawValue, from: query.from, to: query.to, lines: lines, balances: balances))
    }
}
