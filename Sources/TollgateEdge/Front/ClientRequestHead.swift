import NIOCore
import NIOHTTP1

/// What `ClientRequestParser` reads from a client connection.
typealias ClientRequestPart = HTTPPart<ClientRequestHead, ByteBuffer>

/// A client's request head: `HTTPRequestHead` for the decision, and the field lines as they arrived, which the proxy
/// passes upstream as bytes (`UpstreamRequestHead`) rather than writing every field again.
struct ClientRequestHead: Equatable {
    let head: HTTPRequestHead
    /// Every field line as received and checked, each ending in CRLF.
    let fields: ByteBuffer
    /// The body comes in chunks (Transfer-Encoding: chunked; the parser refuses any other coding).
    let isChunked: Bool
    /// Connection names fields besides the standard hop-by-hop ones, which must not be passed on either.
    let connectionNamesFields: Bool
    /// The client keeps the connection open after this exchange (HTTP/1.1 unless `close`; HTTP/1.0 with
    /// `keep-alive`).
    let isKeepAlive: Bool
    /// Expect is `100-continue`: the client waits for a 100 before it sends the body.
    let expectsContinue: Bool
    /// A CONNECT or upgrade request: only a tunnel can follow it on the connection, never another request.
    let opensTunnel: Bool
}
