import Foundation
import NIOCore
import NIOHTTP1
import TollgateCore

/// Charges a paid request when, and only when, the upstream answers 2xx: the charge is appended to the spool and
/// fsync'd, then `crawler-charged` (the exact amount spooled) is added and the head released to the client. A retry
/// of a request already charged (same key id, nonce and URL) is served without a second charge; its answer still
/// says what the request cost.
struct ChargeHook: UpstreamResponseHook {
    let spool: UsageSpool
    let recentCharges: RecentCharges
    let allowances: AllowanceBook
    let draft: UsageDraft
    let requestKeyExpires: Int64?
    let site: SyncSite
    /// What the crawler offered to pay (an x402 offer is answered with `PAYMENT-RESPONSE`).
    let offer: PriceOffer

    /// The same charge at another price: an in-band price the origin named.
    func priced(_ price: Money) -> ChargeHook {
        var draft = draft
        draft.price = price
        return ChargeHook(
            spool: spool, recentCharges: recentCharges, allowances: allowances, draft: draft,
            requestKeyExpires: requestKeyExpires, site: site, offer: offer)
    }

    func passesUnchanged(status: HTTPResponseStatus) -> Bool {
        !(200..<300).contains(status.code)
    }

    /// Answers that charge nothing: not 2xx.
    func immediateHead(for head: HTTPResponseHead) -> HTTPResponseHead? {
        guard passesUnchanged(status: head.status) else { return nil }
        var head = head
        OriginPriceHook.strip(&head)
        return head
    }

    func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HookDecision> {
        charge(head, on: eventLoop).map { .send($0) }
    }

    /// The head to send: charged (spooled, with `crawler-charged`) when 2xx.
    func charge(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HTTPResponseHead> {
        if let immediate = immediateHead(for: head) { return eventLoop.makeSucceededFuture(immediate) }
        var head = head
        OriginPriceHook.strip(&head)
        let price = draft.price
        let key = draft.requestKey.flatMap { key in requestKeyExpires.map { (key, $0) } }
        if let (key, expires) = key, !recentCharges.claim(key, until: expires, now: Date()) {
            return eventLoop.makeSucceededFuture(paid(head, at: Date()))
        }
        allowances.charged(draft.crawlerAccountID, price)
        let stripped = head
        return spool.append(draft, on: eventLoop).map { record in
            paid(stripped, at: record.occurredAt)
        }.flatMapErrorThrowing { [recentCharges] error in
            allowances.acknowledged(draft.crawlerAccountID, price)
            if let (key, _) = key { recentCharges.release(key) }
            throw error
        }
    }

    private func paid(_ head: HTTPResponseHead, at date: Date) -> HTTPResponseHead {
        var head = head
        if let charged = try? PriceString.format(draft.price) {
            head.headers.replaceOrAdd(name: PayPerCrawlHeader.charged, value: charged)
        }
        if offer.isX402, let response = X402.paymentResponse(price: draft.price, at: date) {
            head.headers.replaceOrAdd(name: PayPerCrawlHeader.paymentResponse, value: response)
        }
        PayPerCrawlResponses.addLicenseLink(site, to: &head.headers)
        return head
    }
}

/// Without in-band pricing on the site, an origin's `crawler-price` is not ours to pass on, and outside a 402 it must
/// never reach the client (protocols §1.5).
struct OriginPriceHook: UpstreamResponseHook {
    func passesUnchanged(status: HTTPResponseStatus) -> Bool { true }

    func immediateHead(for head: HTTPResponseHead) -> HTTPResponseHead? {
        var head = head
        Self.strip(&head)
        return head
    }

    func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HookDecision> {
        eventLoop.makeSucceededFuture(.send(immediateHead(for: head)!))
    }

    static func strip(_ head: inout HTTPResponseHead) {
        // Nearly every answer has neither field: looking first spares a copy of the headers per request.
        if head.status != .paymentRequired && head.headers.contains(name: PayPerCrawlHeader.price) {
            head.headers.remove(name: PayPerCrawlHeader.price)
        }
        if head.headers.contains(name: PayPerCrawlHeader.charged) { head.headers.remove(name: PayPerCrawlHeader.charged) }
    }
}
