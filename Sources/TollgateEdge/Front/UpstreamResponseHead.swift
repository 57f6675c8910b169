import NIOCore
import NIOHTTP1

/// What `UpstreamResponseParser` reads from an upstream connection.
typealias UpstreamResponsePart = HTTPPart<UpstreamResponseHead, ByteBuffer>

/// An upstream's response head as it arrived, with what the proxy acts on already read from it, so the common answer
/// is relayed as bytes and `HTTPHeaders` are built only for a hook that reads them.
struct UpstreamResponseHead: Equatable {
    let version: HTTPVersion
    let status: HTTPResponseStatus
    /// The reason phrase as received, possibly empty.
    let reason: ByteBuffer
    /// Every field line as received, each ending in CRLF.
    let fields: ByteBuffer
    /// The field lines a proxy passes on: without the hop-by-hop ones. Nil when Connection names further fields;
    /// the relay then works on `headers`.
    let relayedFields: ByteBuffer?
    /// The connection may carry another exchange after this response.
    let isKeepAlive: Bool
    let hasContentLength: Bool
    /// Holds `crawler-price` or `crawler-charged`, which pay-per-crawl's hooks remove or read.
    let hasPayPerCrawlFields: Bool

    var headers: HTTPHeaders {
        HTTPHeaders(validatedFieldLines: fields)
    }

    var httpHead: HTTPResponseHead {
        HTTPResponseHead(version: version, status: status, headers: headers)
    }
}
