import Foundation
import NIOHTTP1
import TollgateCore

/// The answers the agent gives on behalf of pay-per-crawl: plain-text bodies (protocols §1.4), never cacheable.
public struct PayPerCrawlResponses: Sendable {
    /// Where crawlers register with Tollgate; advertised in x402's `http-message-signatures` extension.
    public var registrationURL: String?

    public init(registrationURL: String?) {
        self.registrationURL = registrationURL
    }

    /// 402 with the price, the x402 offer and the site's license link.
    public func paymentRequired(
        price: Money, error: CrawlerError?, site: SyncSite, request: EdgeRequest, message: String
    ) -> EdgeResponse {
        var headers = HTTPHeaders()
        if let priceText = try? PriceString.format(price) { headers.add(name: PayPerCrawlHeader.price, value: priceText) }
        if let error { headers.add(name: PayPerCrawlHeader.error, value: error.rawValue) }
        if let offer = X402.paymentRequired(
            price: price, url: request.url, error: message, registrationURL: registrationURL, termsURL: site.licenseURL)
        {
            headers.add(name: PayPerCrawlHeader.paymentRequired, value: offer)
        }
        Self.addLicenseLink(site, to: &headers)
        return response(.paymentRequired, message, headers: headers)
    }

    /// Why an offer does not pay for a price, for the 402's body.
    static func message(for refusal: CrawlerError) -> String {
        switch refusal {
        case .invalidCrawlerExactPrice: "The offered exact price is not this resource's price."
        case .invalidCrawlerMaxPrice: "The offered maximum price is below this resource's price."
        default: "Payment required: this resource costs the crawler-price shown."
        }
    }

    /// Any other `crawler-error` answer (400, 403, 500, 502).
    public func error(_ error: CrawlerError, _ message: String) -> EdgeResponse {
        response(error.status, message, headers: [PayPerCrawlHeader.error: error.rawValue])
    }

    static func addLicenseLink(_ site: SyncSite, to headers: inout HTTPHeaders) {
        if let license = site.licenseURL { headers.add(name: "link", value: "<\(license)>; rel=\"license\"") }
    }

    private func response(_ status: HTTPResponseStatus, _ message: String, headers: HTTPHeaders) -> EdgeResponse {
        var headers = headers
        headers.add(name: "cache-control", value: "private, no-store")
        return .text(status, message + "\n", headers: headers)
    }
}
