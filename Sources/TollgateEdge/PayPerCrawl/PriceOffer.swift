import Foundation
import NIOHTTP1
import TollgateCore

/// What a crawler said it will pay: `crawler-exact-price`, `crawler-max-price`, an x402 `PAYMENT-SIGNATURE`
/// (deferred scheme), or the max price of its crawl token.
public enum PriceOffer: Sendable, Hashable {
    case exact(Money)
    case maximum(Money)
    /// x402 deferred: the `accepted` amount, which must cover the price like an exact price.
    case x402(Money)
    case none

    /// Reads the offer headers. Exactly one may be present (`ConflictingPriceHeaders`), and each must parse
    /// (`InvalidCrawlerPriceValue`).
    public static func read(_ headers: HTTPHeaders) -> Result<PriceOffer, CrawlerError> {
        let exact = headers[PayPerCrawlHeader.exactPrice]
        let maximum = headers[PayPerCrawlHeader.maxPrice]
        let payment = headers[PayPerCrawlHeader.paymentSignature]
        if [exact.isEmpty, maximum.isEmpty, payment.isEmpty].filter({ !$0 }).count > 1 || exact.count > 1
            || maximum.count > 1 || payment.count > 1
        {
            return .failure(.conflictingPriceHeaders)
        }
        if let value = exact.first {
            guard let money = try? PriceString.parse(value) else { return .failure(.invalidCrawlerPriceValue) }
            return .success(.exact(money))
        }
        if let value = maximum.first {
            guard let money = try? PriceString.parse(value) else { return .failure(.invalidCrawlerPriceValue) }
            return .success(.maximum(money))
        }
        if let value = payment.first {
            guard let money = X402.acceptedAmount(paymentSignature: value) else {
                return .failure(.invalidCrawlerPriceValue)
            }
            return .success(.x402(money))
        }
        return .success(.none)
    }

    /// Whether the offer pays `price`, or the error to answer with.
    public func accepts(_ price: Money) -> CrawlerError? {
        switch self {
        case .exact(let offered), .x402(let offered):
            return offered == price ? nil : .invalidCrawlerExactPrice
        case .maximum(let offered):
            return offered.currency == price.currency && offered.micros >= price.micros ? nil : .invalidCrawlerMaxPrice
        case .none:
            return .missingCrawlerPrice
        }
    }
}
