/// Header names of pay-per-crawl and x402 (lower case, as Cloudflare writes them; HTTP compares case-insensitively).
public enum PayPerCrawlHeader {
    public static let price = "crawler-price"
    public static let exactPrice = "crawler-exact-price"
    public static let maxPrice = "crawler-max-price"
    public static let charged = "crawler-charged"
    public static let error = "crawler-error"
    /// Sent to the origin on every forwarded request: `protocol=cloudflare, pricing=<zone-default|bypass>`.
    public static let origin = "cf-pay-per-crawl"
    public static let paymentRequired = "payment-required"
    public static let paymentSignature = "payment-signature"
    public static let paymentResponse = "payment-response"
}
