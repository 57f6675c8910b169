/// Lower-case names of the headers Web Bot Auth and pay-per-crawl read or write.
public enum WebBotAuthHeaderName {
    public static let signatureInput = "signature-input"
    public static let signature = "signature"
    public static let signatureAgent = "signature-agent"
    public static let crawlerExactPrice = "crawler-exact-price"
    public static let crawlerMaxPrice = "crawler-max-price"

    /// Request price headers that a paid request must sign (pay-per-crawl since 2025-11-18).
    public static let priceHeaders = [crawlerExactPrice, crawlerMaxPrice]
}
