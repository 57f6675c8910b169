import Foundation
import NIOCore
import NIOHTTP1
import TollgateCore

/// Charges a paid request when, and only when, the upstream answers 2xx: the charge is appended to the spool and
/// fsync'd, then `crawler-charged` (the exact amount spooled) is added and the head released to the client.
struct ChargeHook: UpstreamResponseHook {
    let spool: UsageSpool
    let allowances: AllowanceBook
    let draft: UsageDraft
    let site: SyncSite
    let x402: Bool

    func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HTTPResponseHead> {
        var head = head
        OriginPriceHook.strip(&head)
        guard (200..<300).contains(head.status.code) else { return eventLoop.makeSucceededFuture(head) }
        let price = draft.price
        allowances.charged(draft.crawlerAccountID, price)
        let stripped = head
        return spool.append(draft, on: eventLoop).map { [x402, site] record in
            var head = stripped
            if let charged = try? PriceString.format(price) { head.headers.replaceOrAdd(name: PayPerCrawlHeader.charged, value: charged) }
            if x402, let response = X402.paymentResponse(price: price, at: record.occurredAt) {
                head.headers.replaceOrAdd(name: PayPerCrawlHeader.paymentResponse, value: response)
            }
            PayPerCrawlResponses.addLicenseLink(site, to: &head.headers)
            return head
        }.flatMapErrorThrowing { error in
            allowances.acknowledged(draft.crawlerAccountID, price)
            throw error
        }
    }
}

/// Origins may price in-band; until in-band pricing is enabled for a site, an origin's `crawler-price` is not
/// ours to pass on, and outside a 402 it must never reach the client (protocols §1.5).
struct OriginPriceHook: UpstreamResponseHook {
    func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HTTPResponseHead> {
        var head = head
        Self.strip(&head)
        return eventLoop.makeSucceededFuture(head)
    }

    static func strip(_ head: inout HTTPResponseHead) {
        if head.status != .paymentRequired { head.headers.remove(name: PayPerCrawlHeader.price) }
        head.headers.remove(name: PayPerCrawlHeader.charged)
    }
}
