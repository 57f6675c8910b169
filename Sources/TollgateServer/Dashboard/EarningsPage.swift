import Foundation
import Hummingbird
import TollgateCore

/// `/app/earnings`: what the tenant's sites earned over the last 30 days, by site, crawler account or day, and the
/// payouts made so far.
struct EarningsPage {
    let ledger: any LedgerRepository
    let payments: any PaymentRepository
    let pages: PageRenderer

    struct Line {
        let label: String
        let charges: Int
        let gross: String
        let fees: String
        let net: String
    }

    struct Grouping {
        let value: String
        let label: String
        let current: Bool
    }

    struct PayoutLine {
        let period: String
        let amount: String
        let reference: String
        let note: String
        let paidOn: String
    }

    struct View {
        let balances: [String]
        let lines: [Line]
        let payouts: [PayoutLine]
        let groupings: [Grouping]
        let from: String
        let to: String
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/earnings", use: show)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.billingRead)
        let query = try StatementQuery(request, allowed: [.site, .crawler, .day], defaultGrouping: .site)
        let lines = try await ledger.earnings(tenantID: principal.tenant.id, groupBy: query.groupBy, from: query.from, to: query.to)
        let balances = try await ledger.earningsBalances(tenantID: principal.tenant.id)
        func text(_ money: Money) -> String { (try? money.priceString()) ?? money.description }
        let view = View(
            balances: balances.map(text),
            lines: lines.map { Line(label: $0.label, charges: $0.charges, gross: text($0.gross), fees: text($0.fees), net: text($0.net)) },
            payouts: try await payments.payouts(tenantID: principal.tenant.id).map {
                // The period's end is exclusive in storage; people read the last day paid for.
                PayoutLine(
                    period: "\(PayoutResponse.day($0.periodStart)) – \(PayoutResponse.day($0.periodEnd.addingTimeInterval(-86_400)))",
                    amount: text($0.amount), reference: $0.reference, note: $0.note, paidOn: DisplayDate.format($0.createdAt))
            },
            groupings: [("site", "By site"), ("crawler", "By crawler account"), ("day", "By day")].map {
                Grouping(value: $0.0, label: $0.1, current: $0.0 == query.groupBy.rawValue)
            },
            from: DisplayDate.format(query.from), to: DisplayDate.format(query.to))
        return pages.render("earnings", PageView(title: "Earnings", principal: principal, current: "/app/earnings", page: view))
    }
}
