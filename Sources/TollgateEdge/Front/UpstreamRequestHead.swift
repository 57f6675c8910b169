import NIOCore
import NIOHTTP1

/// The request head the proxy sends upstream: the client's field lines copied as they came, in runs, less the
/// hop-by-hop ones (and those Connection names) and those the agent sets itself; then `X-Forwarded-*`, `Via` and the
/// plan's fields. Kept for the exchange, so a retry on a fresh connection sends the same bytes.
struct UpstreamRequestHead {
    let bytes: ByteBuffer
    /// The request is HEAD: its response has no body.
    let isHEAD: Bool
    /// The body goes upstream in chunks, as it came.
    let isChunked: Bool

    /// - Parameters:
    ///   - client: the client's request head.
    ///   - keepingUpgrade: a WebSocket handshake, whose Upgrade field goes on with `Connection: upgrade`.
    ///   - removingExpect: the agent answered `Expect: 100-continue` itself.
    ///   - hostField: the Host for a request that came without one (HTTP/1.0).
    init(
        _ client: ClientRequestHead, request: EdgeRequest, peer: ClientPeer, plan: ForwardPlan, keepingUpgrade: Bool,
        removingExpect: Bool, hostField: String, allocator: ByteBufferAllocator
    ) {
        let head = client.head
        isHEAD = head.method == .HEAD
        isChunked = client.isChunked

        // What the fields say about themselves, read from `HTTPHeaders` only when it matters (the common request
        // names no fields in Connection and comes from an untrusted peer).
        var connectionNames: [Substring] = []
        var priorHops: [String] = []
        var keepsForwardedHost = false
        if client.connectionNamesFields || peer.isTrusted {
            for (name, value) in head.headers {
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
        }

        var buffer = allocator.buffer(capacity: client.fields.readableBytes + 512)
        let target = EdgeRequestBuilder.absoluteForm(head.uri) != nil ? request.target : head.uri
        buffer.writeJoined(head.method.rawValue, " ", target, " HTTP/1.1\r\n")
        var hasHost = false
        client.fields.withUnsafeReadableBytes { lines in
            // Where the run of lines not yet copied begins.
            var kept = 0
            var start = 0
            while let colon = lines[start...].firstIndex(of: UInt8(ascii: ":")) {
                let name = UnsafeRawBufferPointer(rebasing: lines[start..<colon])
                let end = lines[colon...].firstIndex(of: 0x0A)! + 1
                let passes: Bool
                switch HopByHopField(bytes: name) {
                case .none:
                    if name.isEqualCaseInsensitive(to: "host") {
                        hasHost = true
                        passes = true
                    } else {
                        passes = !(name.isEqualCaseInsensitive(to: "x-forwarded-for")
                            || name.isEqualCaseInsensitive(to: "x-forwarded-proto")
                            || !keepsForwardedHost && name.isEqualCaseInsensitive(to: "x-forwarded-host")
                            || removingExpect && name.isEqualCaseInsensitive(to: "expect")
                            || connectionNames.contains { name.isEqualCaseInsensitive(to: $0.utf8) }
                            || plan.removedRequestHeaders.contains { name.isEqualCaseInsensitive(to: $0.utf8) }
                            || plan.requestHeaders.contains { name.isEqualCaseInsensitive(to: $0.name.utf8) })
                    }
                case .upgrade:
                    passes = keepingUpgrade
                case .connection, .other:
                    passes = false
                }
                if !passes {
                    buffer.writeBytes(UnsafeRawBufferPointer(rebasing: lines[kept..<start]))
                    kept = end
                }
                start = end
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: lines[kept...]))
        }
        if keepingUpgrade { buffer.writeStaticString("connection: upgrade\r\n") }
        if isChunked { buffer.writeStaticString("transfer-encoding: chunked\r\n") }
        if !hasHost { buffer.writeHTTPField("host", hostField) }

        let address = peer.address ?? "unknown"
        if priorHops.isEmpty {
            buffer.writeHTTPField("x-forwarded-for", address)
        } else {
            buffer.writeHTTPField("x-forwarded-for", (priorHops + [address]).joined(separator: ", "))
        }
        buffer.writeHTTPField("x-forwarded-proto", request.scheme)
        if !keepsForwardedHost { buffer.writeHTTPField("x-forwarded-host", request.authority) }
        buffer.writeStaticString("via: 1.1 tollgate-edge\r\n")
        // A name the plan sets twice gets its last value.
        let planFields = plan.requestHeaders
        for (index, field) in planFields.enumerated() {
            let setAgain = planFields[(index + 1)...].contains {
                $0.name.utf8.isEqualCaseInsensitive(to: field.name.utf8)
            }
            if !setAgain { buffer.writeHTTPField(field.name, field.value) }
        }
        buffer.writeStaticString("\r\n")
        bytes = buffer
    }
}
