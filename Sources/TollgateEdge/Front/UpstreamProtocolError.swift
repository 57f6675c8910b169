/// Why an upstream's response could not be read; the exchange answers 502 and the connection is closed.
enum UpstreamProtocolError: Error, Equatable {
    case invalidStatusLine
    case invalidHeaderField
    case headTooLarge
    case invalidContentLength
    /// Both Content-Length and Transfer-Encoding.
    case conflictingFraming
    case invalidChunk
    /// The connection closed before the response's announced end.
    case truncated
}
