import NIOCore
import NIOHTTP1

/// What `UpstreamResponseParser` reads from an upstream connection.
enum UpstreamResponsePart {
    case head(UpstreamResponseHead)
    case body(ByteBuffer)
    case end(HTTPHeaders?)
}
