import NIOCore

/// Which peers may speak for the client through `X-Forwarded-*`, and how the client is found behind them.
struct TrustedProxies: Sendable {
    let ranges: [IPAddressRange]
    /// Forward-auth with no list configured: the peer is the proxy asking.
    let trustsEveryPeer: Bool

    func peer(_ remote: SocketAddress?) -> ClientPeer {
        guard let remote, let address = IPAddress(remote) else {
            return ClientPeer(address: remote?.ipAddress, isTrusted: trustsEveryPeer)
        }
        return ClientPeer(
            address: address.ipv4Description ?? remote.ipAddress, isTrusted: trustsEveryPeer || contains(address))
    }

    func contains(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client behind a chain of proxies: walking `X-Forwarded-For` from the right, the first hop that is not a
    /// trusted proxy (hops further left were written by the client and prove nothing). All trusted: the leftmost.
    func client(forwardedFor values: [String]) -> String? {
        var leftmost: Substring?
        for value in values.reversed() {
            for hop in value.split(separator: ",").reversed() {
                let hop = hop.trimmingSpaces
                guard !hop.isEmpty else { continue }
                guard let address = IPAddress(hop), contains(address) else { return String(hop) }
                leftmost = hop
            }
        }
        return leftmost.map(String.init)
    }
}
