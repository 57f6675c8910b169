import Foundation
import TollgateCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key directory location the control plane is willing to fetch: https to a public host named by DNS, or http /
/// a local address only for hosts on the configured allow-list. An origin alone (`https://bot.example`) means its
/// well-known directory. Host names that resolve to private addresses are not caught here (that needs the
/// resolver); literal addresses and `localhost` are, which keeps the obvious internal targets out.
struct KeyDirectoryURL: Sendable, Hashable, CustomStringConvertible {
    static let maxLength = 2048
    /// What the OpenAPI schema states: https, a DNS host name (its last label starts with a letter), an optional
    /// port, path and query. The allow-list's http and address forms are for tests and development and are left out.
    static let pattern =
        #"^[Hh][Tt][Tt][Pp][Ss]://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"#
        + #"(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"#
        + #"(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"#

    /// The normalised URL that is stored and fetched.
    let string: String
    let scheme: String
    let host: String
    let port: Int

    var description: String { string }

    /// - Throws: a message fit for a `key_directory_url` field error.
    static func parse(_ raw: String, allowlist: KeyDirectoryHostAllowlist) throws(KeyDirectoryURLError) -> KeyDirectoryURL {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.utf8.count <= maxLength else { throw .init("must be at most \(maxLength) characters") }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            var host = components.host?.lowercased(), !host.isEmpty
        else { throw .init("must be an absolute https URL, like https://bot.example/.well-known/http-message-signatures-directory") }
        guard scheme == "https" || scheme == "http" else { throw .init("must be an https URL (got \(scheme):)") }
        guard components.user == nil, components.password == nil else { throw .init("must not contain a user name or password") }
        guard components.fragment == nil else { throw .init("must not contain a #fragment") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw .init("has an invalid port") }
        let allowListed = allowlist.allows(host: host, port: port)
        if scheme == "http" && !allowListed {
            throw .init("must use https; plain http is only for hosts in TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST (tests and development)")
        }
        if !allowListed {
            try checkPublic(host)
        }
        var path = components.percentEncodedPath
        if path.isEmpty || path == "/" { path = KeyDirectory.wellKnownPath }
        let query = components.percentEncodedQuery.map { "?\($0)" } ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let explicitPort = components.port.map { ":\($0)" } ?? ""
        let normalised = "\(scheme)://\(bracketed)\(explicitPort)\(path)\(query)"
        guard normalised.utf8.count <= maxLength else { throw .init("must be at most \(maxLength) characters, the well-known path included") }
        return KeyDirectoryURL(string: normalised, scheme: scheme, host: host, port: port)
    }

    /// Refuses `localhost` and `.local` names, IP literals (naming local and private ones as such) and numeric hosts
    /// that are not plain addresses (`127.1`, `2130706433`, which resolvers still map to loopback).
    private static func checkPublic(_ host: String) throws(KeyDirectoryURLError) {
        let refusal = KeyDirectoryURLError("must name a public host; local and private addresses are not fetched")
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local") { throw refusal }
        // Certificates name hosts, and a literal address is the usual way to aim at an internal one.
        if let bytes = addressBytes(host) {
            throw isLocal(bytes) ? refusal : KeyDirectoryURLError("must name its host by DNS name, not by IP address")
        }
        let lastLabel = host.split(separator: ".").last.map(String.init) ?? host
        if lastLabel.allSatisfy({ $0.isNumber }) || lastLabel.hasPrefix("0x") || host.contains(":") {
            throw KeyDirectoryURLError("has a host that is neither a domain name nor a valid IP address")
        }
    }

    private static func addressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func isLocal(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 {
            let (a, b) = (bytes[0], bytes[1])
            return a == 0 || a == 10 || a == 127 || a >= 224 || (a == 169 && b == 254) || (a == 172 && (16...31).contains(b))
                || (a == 192 && b == 168) || (a == 100 && (64...127).contains(b))
        }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms carry an IPv4 address in the last four bytes.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && (bytes[10..<12] == [0xff, 0xff] || bytes[10..<12] == [0, 0]) {
            return isLocal(Array(bytes[12..<16]))
        }
        return bytes[0] & 0xfe == 0xfc || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80) || bytes[0] == 0xff
    }
}

/// Why a key directory URL is refused; the message completes "key_directory_url …".
struct KeyDirectoryURLError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
