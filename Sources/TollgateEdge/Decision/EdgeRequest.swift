import NIOCore
import NIOHTTP1
import TollgateCore

/// One incoming request as the decision pipeline sees it, whichever front end received it (the reverse proxy, or a
/// forward-auth subrequest describing the original request).
public struct EdgeRequest: Sendable {
    public var method: String
    /// `http` or `https`, as the client used it (from the listener, or `X-Forwarded-Proto` from a trusted front).
    public var scheme: String
    /// The Host header (host and optional port), as received.
    public var authority: String
    /// The path without the query, percent-encoded as received.
    public var path: String
    /// The query without `?`, nil when absent.
    public var query: String?
    public var headers: HTTPHeaders
    /// The client's address (the peer, or the first untrusted `X-Forwarded-For` hop from a trusted front).
    public var clientAddress: String?

    public init(
        method: String, scheme: String, authority: String, path: String, query: String?, headers: HTTPHeaders,
        clientAddress: String?
    ) {
        self.method = method
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.headers = headers
        self.clientAddress = clientAddress
    }

    /// Splits a request target (`/a/b?c`) into path and query.
    public init(
        method: String, scheme: String, authority: String, target: String, headers: HTTPHeaders, clientAddress: String?
    ) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.init(
            method: method, scheme: scheme, authority: authority, path: parts.first.map(String.init) ?? "/",
            query: parts.count > 1 ? String(parts[1]) : nil, headers: headers, clientAddress: clientAddress)
    }

    /// The path with its query, as the pricing model matches it.
    public var target: String { query.map { "\(path)?\($0)" } ?? path }

    /// The host without port, lower-cased: how sites are looked up.
    public var hostname: String {
        // Nearly always already a bare lower-case name: no copy then.
        if !authority.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[") || (0x41...0x5A).contains($0) }) {
            return authority
        }
        var host = Substring(authority)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return host.lowercased()
    }

    public var url: String { "\(scheme)://\(authority)\(target)" }
}

extension EdgeRequest: MessageSignatureRequest {
    public func headerValues(named name: String) -> [String] { headers[name] }
}
