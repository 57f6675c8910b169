import NIOCore
import NIOHTTP1

/// A response the agent answers itself (402, 403, errors, challenges), never forwarded upstream.
public struct EdgeResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text answer, as pay-per-crawl error responses are (protocols §1.4).
    public static func text(_ status: HTTPResponseStatus, _ text: String, headers: HTTPHeaders = [:]) -> EdgeResponse {
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: "text/plain; charset=utf-8")
        return EdgeResponse(status: status, headers: headers, body: ByteBuffer(string: text))
    }
}
