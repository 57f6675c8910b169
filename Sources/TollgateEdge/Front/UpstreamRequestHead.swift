import NIOCore
import NIOHTTP1

/// The request head the proxy sends upstream, written as bytes in one pass over the client's fields: hop-by-hop
/// fields (and those Connection names) left out, `X-Forwarded-*` and `Via` set, the plan's fields applied. Kept for
/// the exchange, so a retry on a fresh connection sends the same bytes.
struct UpstreamRequestHead {
    let bytes: ByteBuffer
    /// The request is HEAD: its response has no body.
    let isHEAD: Bool
    /// The body goes upstream in chunks: the client sent one without a length.
    let isChunked: Bool

    /// - Parameters:
    ///   - head: the client's request head.
    ///   - keepingUpgrade: a WebSocket handshake, whose Upgrade field goes on with `Connection: upgrade`.
    ///   - removingExpect: the agent answered `Expect: 100-continue` itself.
    ///   - hostField: the Host for a request that came without one (HTTP/1.0).
    init(
        _ head: HTTPRequestHead, request: EdgeRequest, peer: ClientPeer, plan: ForwardPlan, keepingUpgrade: Bool,
        removingExpect: Bool, hostField: String, allocator: ByteBufferAllocator
    ) {
        let fields = head.headers
        isHEAD = head.method == .HEAD
        isChunked = !fields.contains(name: "content-length") && fields.contains(name: "transfer-encoding")

        // What the fields say about themselves, before any is written.
        var connectionNames: [Substring] = []
        var priorHops: [String] = []
        var keepsForwardedHost = false
        for (name, value) in fields {
            switch HopByHopField(name) {
            case .connection:
                connectionNames += HopByHopField.namedFields(inConnection: value, keepingUpgrade: keepingUpgrade)
            case .none:
                if peer.isTrusted && name.isEqualCaseInsensitive(to: "x-forwarded-for") {
                    priorHops.append(value)
                } else if peer.isTrusted && name.isEqualCaseInsensitive(to: "x-forwarded-host") {
                    keepsForwardedHost = true
                }
            case .upgrade, .other:
                break
            }
        }

        var buffer = allocator.buffer(capacity: 1024)
        buffer.writeString(head.method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(EdgeRequestBuilder.absoluteForm(head.uri) != nil ? request.target : head.uri)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        var hasHost = false
        for (name, value) in fields {
            switch HopByHopField(name) {
            case .none:
                break
            case .upgrade where keepingUpgrade:
                break
            case .upgrade, .connection, .other:
                continue
            }
            if name.isEqualCaseInsensitive(to: "x-forwarded-for")
                || name.isEqualCaseInsensitive(to: "x-forwarded-proto")
                || !keepsForwardedHost && name.isEqualCaseInsensitive(to: "x-forwarded-host")
                || removingExpect && name.isEqualCaseInsensitive(to: "expect")
                || connectionNames.contains(where: { name.utf8.isEqualCaseInsensitive(to: $0.utf8) })
                || plan.removedRequestHeaders.contains(where: { name.utf8.isEqualCaseInsensitive(to: $0.utf8) })
                || plan.requestHeaders.contains(where: { name.utf8.isEqualCaseInsensitive(to: $0.name.utf8) })
            {
                continue
            }
            if name.isEqualCaseInsensitive(to: "host") { hasHost = true }
            buffer.writeHTTPField(name, value)
        }
        if keepingUpgrade { buffer.writeStaticString("connection: upgrade\r\n") }
        // The decoder has undone the client's chunking; the upstream connection chunks again.
        if isChunked { buffer.writeStaticString("transfer-encoding: chunked\r\n") }
        if !hasHost { buffer.writeHTTPField("host", hostField) }

        let address = peer.address ?? "unknown"
        buffer.writeStaticString("x-forwarded-for: ")
        for hop in priorHops {
            buffer.writeString(hop)
            buffer.writeStaticString(", ")
        }
        buffer.writeString(address)
        buffer.writeStaticString("\r\n")
        buffer.writeHTTPField("x-forwarded-proto", request.scheme)
        if !keepsForwardedHost { buffer.writeHTTPField("x-forwarded-host", request.authority) }
        buffer.writeStaticString("via: 1.1 tollgate-edge\r\n")
        // A name the plan sets twice gets its last value.
        let planFields = plan.requestHeaders
        for (index, field) in planFields.enumerated() {
            let setAgain = planFields[(index + 1)...].contains { $0.name.utf8.isEqualCaseInsensitive(to: field.name.utf8) }
            if !setAgain { buffer.writeHTTPField(field.name, field.value) }
        }
        buffer.writeStaticString("\r\n")
        bytes = buffer
    }
}
