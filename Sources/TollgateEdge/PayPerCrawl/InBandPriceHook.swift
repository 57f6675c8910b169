import Foundation
import NIOCore
import NIOHTTP1
import TollgateCore

/// In-band pricing (protocols §1.5): the origin's `crawler-price` replaces the site's price for this request, so the
/// crawler's offer is checked here, against the origin's answer. A 2xx the offer covers is charged (`ChargeHook`); a
/// 2xx it does not cover becomes the 402 the crawler would have had for that price, and the origin's body is dropped;
/// `USD 0.00` serves the answer free; an unreadable price (or one in another currency) is `502 InvalidContentPrice`;
/// the origin's own 402 reaches the crawler as it is, with its `crawler-price`. Without a `crawler-price` the site's
/// price applies.
struct InBandPriceHook: UpstreamResponseHook {
    /// The site's price for the request, and its currency the only one accepted from the origin.
    let sitePrice: Money
    /// The charge at the site's price, with the crawler's offer; nil when it offered nothing, so nothing is charged.
    let charge: ChargeHook?
    let site: SyncSite
    let request: EdgeRequest
    let responses: PayPerCrawlResponses
    /// The decision as forwarded; the answer's outcome replaces its action, reason and price.
    let record: DecisionRecord

    func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HookDecision> {
        switch decide(head) {
        case .answer(let decision):
            return eventLoop.makeSucceededFuture(decision)
        case .charge(let charge, let head):
            let recorded = outcome(.charge, "pricing.in_band_paid", charge.draft.price)
            return charge.charge(head, on: eventLoop).map { .send($0, record: recorded) }
        }
    }

    private enum Decision {
        case answer(HookDecision)
        case charge(ChargeHook, HTTPResponseHead)
    }

    private func decide(_ upstream: HTTPResponseHead) -> Decision {
        if upstream.status == .paymentRequired {
            return .answer(.send(upstream, record: outcome(.paymentRequired, "pricing.in_band_origin", nil)))
        }
        var price = sitePrice
        if let named = upstream.headers.first(name: PayPerCrawlHeader.price) {
            guard let parsed = try? PriceString.parse(named), parsed.currency == sitePrice.currency else {
                let response = responses.error(
                    .invalidContentPrice, "The site's origin named a price that cannot be used; the site must fix it.")
                return .answer(.replace(response, record: outcome(.error, "pricing.invalid_content_price", nil)))
            }
            price = parsed
        }
        var head = upstream
        OriginPriceHook.strip(&head)
        if price.micros == 0 { return .answer(.send(head, record: outcome(.pass, "pricing.in_band_free", nil))) }
        // Errors are not billed, and need no offer (protocols §1.3).
        guard (200..<300).contains(head.status.code) else { return .answer(.send(head)) }
        guard let charge else { return paymentRequired(price, .missingCrawlerPrice) }
        if let refusal = charge.offer.accepts(price) { return paymentRequired(price, refusal) }
        return .charge(charge.priced(price), head)
    }

    /// The 402 the crawler would have had for `price`, instead of the origin's answer.
    private func paymentRequired(_ price: Money, _ refusal: CrawlerError) -> Decision {
        let response = responses.paymentRequired(
            price: price, error: refusal, site: site, request: request, message: PayPerCrawlResponses.message(for: refusal))
        return .answer(.replace(response, record: outcome(.paymentRequired, "pricing.\(refusal.rawValue)", price)))
    }

    private func outcome(_ action: DecisionAction, _ reason: String, _ price: Money?) -> DecisionRecord {
        DecisionRecord(
            action: action.rawValue, reason: reason, siteID: record.siteID, crawler: record.crawler,
            price: price.flatMap { try? PriceString.format($0) })
    }
}
