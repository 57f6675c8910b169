/// Why a quote refuses a request.
public enum BlockReason: Sendable, Hashable, CustomStringConvertible {
    /// A crawler override blocks this crawler.
    case crawler(String)
    /// A path rule with this pattern blocks the path.
    case path(String)
    /// The site does not serve this purpose.
    case purpose(CrawlPurpose)

    public var description: String {
        switch self {
        case .crawler(let crawler): "crawler \(crawler) is blocked"
        case .path(let pattern): "paths matching \(pattern) are blocked"
        case .purpose(let purpose): "crawling for \(purpose.rawValue) is blocked"
        }
    }
}
