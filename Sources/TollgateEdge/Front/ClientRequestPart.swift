import NIOCore
import NIOHTTP1

/// What `ClientRequestParser` reads from a client connection.
enum ClientRequestPart {
    case head(ClientRequestHead)
    case body(ByteBuffer)
    case end(HTTPHeaders?)
}
