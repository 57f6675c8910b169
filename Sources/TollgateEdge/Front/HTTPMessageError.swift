/// Why an HTTP/1 message could not be read. From the upstream, the exchange answers 502; from a client, the request
/// is answered with `FrontResponses.malformed` (400, or 431, 501, 505). Either way the connection is closed, since
/// where the next message would start is no longer certain.
enum HTTPMessageError: Error, Equatable {
    case invalidStatusLine
    case invalidRequestLine
    /// A version other than HTTP/1.0 or HTTP/1.1 (a well-formed one: anything else is an invalid start line).
    case unsupportedVersion
    case invalidHeaderField
    case headTooLarge
    case invalidContentLength
    /// Both Content-Length and Transfer-Encoding, or Transfer-Encoding in an HTTP/1.0 request.
    case conflictingFraming
    /// Transfer-Encoding whose last coding is not chunked: the request's length cannot be known.
    case invalidTransferEncoding
    /// A request body in a transfer coding besides chunked (gzip, …), which the agent does not decode.
    case unsupportedTransferCoding
    /// An HTTP/1.1 request without Host, or any request with more than one (RFC 9112 §3.2).
    case invalidHost
    case invalidChunk
    /// The connection closed before the response's announced end.
    case truncated

    /// What a client is told its request did wrong.
    var explanation: String {
        switch self {
        case .invalidStatusLine: "malformed status line"
        case .invalidRequestLine: "malformed request line"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are served here"
        case .invalidHeaderField: "malformed header field"
        case .headTooLarge: "request header fields too large"
        case .invalidContentLength: "invalid Content-Length"
        case .conflictingFraming: "ambiguous message framing (Transfer-Encoding with Content-Length or HTTP/1.0)"
        case .invalidTransferEncoding: "Transfer-Encoding must end with chunked"
        case .unsupportedTransferCoding: "only the chunked transfer coding is supported"
        case .invalidHost: "a request needs exactly one Host field"
        case .invalidChunk: "malformed chunked body"
        case .truncated: "message ended early"
        }
    }
}
