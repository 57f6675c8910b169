import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import TollgateCore

/// Pay-per-crawl as Cloudflare speaks it (protocols §1): an identified crawler asking for priced content gets 402
/// with the price until it offers to pay it; an accepted offer is forwarded and charged only if the upstream answers
/// 2xx. Anonymous clients are not priced here (`cf-pay-per-crawl: …, pricing=bypass`).
struct PayPerCrawlStage: DecisionStage {
    let responses: PayPerCrawlResponses
    let spool: UsageSpool
    let recentCharges: RecentCharges
    let allowances: AllowanceBook
    let renewer: (any AllowanceRenewing)?
    let failMode: FailMode
    /// How long a paid request may wait for an allowance before the fail mode decides.
    let renewalTimeout: TimeAmount
    var name: String { "pricing" }

    func evaluate(_ context: inout DecisionContext) -> StageOutcome {
        guard let site = context.site, let quoter = site.quoter, let identity = context.identity else { return .next }
        let purpose = identity.crawler?.purposes.first ?? .other
        let crawlerName = identity.name ?? identity.accountID?.uuidString.lowercased()
        switch quoter.quote(crawler: crawlerName, purpose: purpose, path: context.request.target) {
        case .free:
            let record = context.record(.pass, "pricing.free")
            return .decided(.now(.forward(Forwarding.plan(context, record: record, pricing: .bypass, hook: nil))))
        case .blocked(let reason):
            let response = responses.error(.crawlerForbidden, "This site does not allow this request: \(reason).")
            return .decided(.now(.respond(response, context.record(.block, "pricing.blocked"))))
        case .price(let price):
            return .decided(priced(price, site: site.site, identity: identity, context))
        }
    }

    private func priced(_ price: Money, site: SyncSite, identity: CrawlerIdentity, _ context: DecisionContext) -> PendingVerdict {
        var offer: PriceOffer
        switch PriceOffer.read(context.request.headers) {
        case .success(let read): offer = read
        case .failure(let error):
            let message = error == .conflictingPriceHeaders
                ? "Send exactly one of crawler-exact-price, crawler-max-price and PAYMENT-SIGNATURE."
                : "A price header is malformed; prices look like \"USD 0.01\"."
            return .now(.respond(responses.error(error, message), context.record(.reject, "pricing.\(error.rawValue)")))
        }
        if offer == .none, let maximum = identity.tokenMaxPrice { offer = .maximum(maximum) }
        if case .x402 = offer, !identity.coveredComponents.contains(PayPerCrawlHeader.paymentSignature) {
            let response = responses.error(
                .strongAuthRequired, "PAYMENT-SIGNATURE must be covered by the request's Web Bot Auth signature.")
            return .now(.respond(response, context.record(.reject, "pricing.unsigned_payment")))
        }
        let inBand = site.pricing?.inBand == true
        if inBand && offer == .none {
            // Only the origin knows the price; its answer becomes the 402 (or is served, when it says free or errs).
            let record = context.record(.pass, "pricing.in_band")
            let hook = InBandPriceHook(
                sitePrice: price, charge: nil, site: site, request: context.request, responses: responses, record: record)
            return .now(.forward(Forwarding.plan(context, record: record, pricing: .inBand, hook: hook)))
        }
        // With in-band pricing the offer is checked against the origin's price, on its answer.
        if !inBand, let error = offer.accepts(price) {
            let response = responses.paymentRequired(
                price: price, error: error, site: site, request: context.request, message: PayPerCrawlResponses.message(for: error))
            return .now(.respond(response, context.record(.paymentRequired, "pricing.\(error.rawValue)", price: price)))
        }
        guard let account = identity.accountID ?? identity.crawler.flatMap({ context.state.account(of: $0, in: price.currency) })
        else {
            let response = responses.error(
                .paymentFailed, "The crawler has no \(price.currency.code) account with Tollgate to pay from.")
            return .now(.respond(response, context.record(.reject, "pricing.no_account", price: price)))
        }
        let charge = ChargeHook(
            spool: spool, recentCharges: recentCharges, allowances: allowances,
            draft: UsageDraft(
                crawlerAccountID: account, siteID: site.id, url: context.request.url, price: price,
                requestKey: identity.requestKey),
            requestKeyExpires: identity.requestKeyExpires, site: site, offer: offer)
        switch allowances.authorize(account, price, now: context.now) {
        case .granted:
            return .now(chargeVerdict(charge, context, reason: "pricing.paid"))
        case .refused(let status):
            return .now(refused(status, price: price, site: site, context))
        case .unknown:
            guard let renewer else { return .now(chargeVerdict(charge, context, reason: "pricing.paid")) }
            return .later(renew(account, charge: charge, renewer: renewer, context))
        }
    }

    private func renew(
        _ account: UUID, charge: ChargeHook, renewer: any AllowanceRenewing, _ context: DecisionContext
    ) -> EventLoopFuture<EdgeVerdict> {
        let eventLoop = context.eventLoop
        let promise = eventLoop.makePromise(of: EdgeVerdict.self)
        // Whichever comes first, the answer or the timeout, decides; the other is ignored.
        let decided = NIOLockedValueBox(false)
        let decide: @Sendable (EdgeVerdict) -> Void = { verdict in
            if decided.withLockedValue({ done in defer { done = true }; return !done }) { promise.succeed(verdict) }
        }
        eventLoop.scheduleTask(in: renewalTimeout) { decide(unreachable(charge, context)) }
        Task {
            do {
                try await renewer.renew([account])
                switch allowances.authorizeAfterRenewal(account, charge.draft.price) {
                case .granted: decide(chargeVerdict(charge, context, reason: "pricing.paid"))
                case .refused(let status): decide(refused(status, price: charge.draft.price, site: charge.site, context))
                case .unknown: decide(unreachable(charge, context))
                }
            } catch {
                decide(unreachable(charge, context))
            }
        }
        return promise.futureResult
    }

    /// Forwards a request the crawler offered to pay for. On an in-band site the allowance was checked at the site's
    /// price, and the origin's answer settles the price.
    private func chargeVerdict(_ charge: ChargeHook, _ context: DecisionContext, reason: String) -> EdgeVerdict {
        let record = context.record(.charge, reason, price: charge.draft.price)
        guard charge.site.pricing?.inBand == true else {
            return .forward(Forwarding.plan(context, record: record, pricing: .zoneDefault, hook: charge))
        }
        let hook = InBandPriceHook(
            sitePrice: charge.draft.price, charge: charge, site: charge.site, request: context.request, responses: responses,
            record: record)
        return .forward(Forwarding.plan(context, record: record, pricing: .inBand, hook: hook))
    }

    private func refused(_ status: SyncAllowance.Status, price: Money, site: SyncSite, _ context: DecisionContext) -> EdgeVerdict {
        let message = switch status {
        case .capped: "The crawler account has reached its spending cap."
        case .suspended: "The crawler account is suspended."
        case .exhausted, .active: "The crawler account has insufficient funds; top it up to continue."
        }
        let response = responses.paymentRequired(price: price, error: nil, site: site, request: context.request, message: message)
        return .respond(response, context.record(.paymentRequired, "allowance.\(status.rawValue)", price: price))
    }

    /// The control plane could not be asked for an allowance in time.
    private func unreachable(_ charge: ChargeHook, _ context: DecisionContext) -> EdgeVerdict {
        switch failMode {
        case .open:
            return chargeVerdict(charge, context, reason: "pricing.paid_unconfirmed")
        case .closed:
            var response = responses.error(.internalError, "The payment service cannot be reached; retry with backoff.")
            response.headers.add(name: "retry-after", value: "5")
            return .respond(response, context.record(.error, "allowance.unreachable", price: charge.draft.price))
        }
    }
}

extension PriceOffer {
    var isX402: Bool {
        if case .x402 = self { return true }
        return false
    }
}
