import NIOHTTP1

/// The `crawler-error` codes of pay-per-crawl (protocols §1.4), each with the status it travels with.
public enum CrawlerError: String, Error, Sendable, CaseIterable {
    case crawlerForbidden = "CrawlerForbidden"
    case strongAuthRequired = "StrongAuthRequired"
    case invalidSignature = "InvalidSignature"
    case invalidCrawlerPriceValue = "InvalidCrawlerPriceValue"
    case missingCrawlerPrice = "MissingCrawlerPrice"
    case paymentFailed = "PaymentFailed"
    case invalidCrawlerExactPrice = "InvalidCrawlerExactPrice"
    case invalidCrawlerMaxPrice = "InvalidCrawlerMaxPrice"
    case conflictingPriceHeaders = "ConflictingPriceHeaders"
    case invalidContentPrice = "InvalidContentPrice"
    case internalError = "InternalError"

    public var status: HTTPResponseStatus {
        switch self {
        case .crawlerForbidden, .paymentFailed: .forbidden
        case .strongAuthRequired, .invalidSignature, .invalidCrawlerPriceValue, .conflictingPriceHeaders: .badRequest
        case .missingCrawlerPrice, .invalidCrawlerExactPrice, .invalidCrawlerMaxPrice: .paymentRequired
        case .invalidContentPrice: .badGateway
        case .internalError: .internalServerError
        }
    }
}
