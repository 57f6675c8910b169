import Foundation

/// Hosts whose key directories may be fetched over plain http and may be local addresses: for tests and
/// development only (`TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST=127.0.0.1:8081,directory.test`). Everything else must be
/// a public https URL.
public struct KeyDirectoryHostAllowlist: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// Lower case, IPv6 without brackets.
        public let host: String
        /// nil: any port.
        public let port: Int?
    }

    public private(set) var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    public func allows(host: String, port: Int) -> Bool {
        let host = host.lowercased()
        return entries.contains { $0.host == host && ($0.port == nil || $0.port == port) }
    }

    /// Parses `host[:port]` entries separated by commas; IPv6 addresses go in brackets (`[::1]:8081`).
    public static func parse(_ value: String) throws(ConfigurationError) -> KeyDirectoryHostAllowlist {
        var entries: [Entry] = []
        for raw in value.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            guard let entry = parseEntry(item) else {
                throw ConfigurationError(
                    "TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST must be comma-separated host or host:port entries without a "
                        + "scheme or path, e.g. 127.0.0.1:8081,directory.test,[::1] (\"\(item)\" is not one)")
            }
            entries.append(entry)
        }
        return KeyDirectoryHostAllowlist(entries)
    }

    private static func parseEntry(_ item: String) -> Entry? {
        var host = Substring(item)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
            guard host.contains(":") else { return nil }
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]) else { return nil }
            port = number
            host = host[..<colon]
        }
        if let port, !(1...65535).contains(port) { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:")
        guard !host.isEmpty, host.count <= 253, host.allSatisfy({ allowed.contains($0) }) else { return nil }
        return Entry(host: host.lowercased(), port: port)
    }
}
