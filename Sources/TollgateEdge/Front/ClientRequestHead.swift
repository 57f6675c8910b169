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
    /// A CONNECT or upgrade request: only a tunnel can follow it on the connection, never another request.
    let opensTunnel: Bool
}
