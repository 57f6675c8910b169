import NIOHTTP1

/// Turns a request head into the `EdgeRequest` the decider sees, in either mode.
struct EdgeRequestBuilder: Sendable {
    /// The scheme clients use unless a trusted front says otherwise.
    let scheme: String
    let trustedProxies: TrustedProxies

    /// A request received directly (or through trusted proxies) by the reverse proxy.
    func reverseProxy(_ head: HTTPRequestHead, peer: ClientPeer) -> EdgeRequest {
        var scheme = self.scheme
        var clientAddress = peer.address
        if peer.isTrusted {
            scheme = forwardedScheme(head.headers) ?? scheme
            let forwardedFor = head.headers["x-forwarded-for"]
            if !forwardedFor.isEmpty {
                clientAddress = trustedProxies.client(forwardedFor: forwardedFor) ?? clientAddress
            }
        }
        var authority = head.headers.first(name: "host") ?? ""
        var target = head.uri
        if let absolute = Self.absoluteForm(head.uri) {
            authority = absolute.authority
            target = absolute.target
        }
        let (path, query) = Self.split(target)
        return EdgeRequest(
            method: head.method.rawValue, scheme: scheme, authority: authority, path: path, query: query,
            headers: head.headers, clientAddress: clientAddress)
    }

    /// An authorization subrequest describing the original request: Traefik ForwardAuth sends `X-Forwarded-Method`,
    /// `-Proto`, `-Host`, `-Uri` and copies the client's headers; nginx `auth_request` sends what the configuration
    /// sets, conventionally `X-Original-Method` and `X-Original-URI`, with the site in Host. (nginx only understands
    /// 2xx, 401 and 403 from the subrequest; other statuses become 500 there.)
    func forwardAuth(_ head: HTTPRequestHead, peer: ClientPeer) -> EdgeRequest {
        var headers = head.headers
        let method = headers.first(name: "x-forwarded-method") ?? headers.first(name: "x-original-method")
        let target = headers.first(name: "x-forwarded-uri") ?? headers.first(name: "x-original-uri") ?? head.uri
        var scheme = self.scheme
        var authority = headers.first(name: "host") ?? ""
        var clientAddress = peer.address
        if peer.isTrusted {
            scheme = forwardedScheme(headers) ?? scheme
            if let host = headers.first(name: "x-forwarded-host") {
                authority = host
                headers.replaceOrAdd(name: "host", value: host)
            }
            if let realIP = headers.first(name: "x-real-ip") {
                clientAddress = realIP
            } else {
                let forwardedFor = headers["x-forwarded-for"]
                if !forwardedFor.isEmpty {
                    clientAddress = trustedProxies.client(forwardedFor: forwardedFor) ?? clientAddress
                }
            }
        }
        for name in Self.subrequestFields where headers.contains(name: name) { headers.remove(name: name) }
        return EdgeRequest(
            method: method ?? head.method.rawValue, scheme: scheme, authority: authority, target: target,
            headers: headers, clientAddress: clientAddress)
    }

    /// Fields that describe the subrequest rather than belong to the original request.
    private static let subrequestFields = [
        "x-forwarded-method", "x-forwarded-uri", "x-original-method", "x-original-uri",
    ]

    private func forwardedScheme(_ headers: HTTPHeaders) -> String? {
        guard let value = headers.first(name: "x-forwarded-proto") else { return nil }
        // The leftmost entry is what the client used.
        let first = value.split(separator: ",", maxSplits: 1).first?.trimmingSpaces ?? ""
        if first.isEqualCaseInsensitive(to: "https") { return "https" }
        if first.isEqualCaseInsensitive(to: "http") { return "http" }
        return nil
    }

    /// Path and query of a target, as `EdgeRequest(target:)` splits it but without its intermediate array: this runs
    /// for every request.
    static func split(_ target: String) -> (path: String, query: String?) {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.utf8.index(after: mark)...]))
    }

    /// `http://host/path?q` (absolute-form, RFC 9112 §3.2.2) split into authority and origin-form target.
    static func absoluteForm(_ uri: String) -> (authority: String, target: String)? {
        guard uri.utf8.first != UInt8(ascii: "/"), let colon = uri.firstIndex(of: ":"), uri[colon...].hasPrefix("://")
        else { return nil }
        let rest = uri[uri.index(colon, offsetBy: 3)...]
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let target = rest[pathStart...]
        return (String(rest[..<pathStart]), target.first == "/" ? String(target) : "/" + target)
    }
}
