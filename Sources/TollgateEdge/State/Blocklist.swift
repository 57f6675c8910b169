import Foundation
import TollgateCore

/// Blocklist decisions compiled for lookup: exact addresses in a set, ranges bucketed by prefix length (one hash
/// probe per distinct prefix, so 100 k entries cost what a handful do), crawlers by product token, user agents as
/// case-insensitive substrings. Expiry is checked at lookup, so an entry stops applying the moment it lapses.
public struct Blocklist: Sendable {
    public struct Match: Sendable, Hashable {
        public let entry: SyncBlockEntry
    }

    private var addresses: [IPAddress: [SyncBlockEntry]] = [:]
    /// Networks by prefix length (of the 128-bit form), longest first in `rangePrefixes`.
    private var ranges: [Int: [IPAddress: [SyncBlockEntry]]] = [:]
    private var rangePrefixes: [Int] = []
    private var crawlers: [String: [SyncBlockEntry]] = [:]
    private var userAgents: [(needle: String, entry: SyncBlockEntry)] = []

    public var isEmpty: Bool { addresses.isEmpty && ranges.isEmpty && crawlers.isEmpty && userAgents.isEmpty }

    public init(_ entries: some Sequence<SyncBlockEntry>) {
        var prefixes: Set<Int> = []
        for entry in entries where !entry.deleted {
            switch entry.scope {
            case .ip:
                if let address = IPAddress(entry.value) { addresses[address, default: []].append(entry) }
            case .range:
                if let range = IPAddressRange(entry.value) {
                    ranges[range.prefixLength, default: [:]][range.network, default: []].append(entry)
                    prefixes.insert(range.prefixLength)
                }
            case .crawler:
                crawlers[entry.value.lowercased(), default: []].append(entry)
            case .userAgent:
                userAgents.append((entry.value.lowercased(), entry))
            }
        }
        rangePrefixes = prefixes.sorted(by: >)
    }

    /// The entries that apply to a request of `tenantID`'s site; an `allow` entry wins over `block` ones, so a
    /// tenant can exempt a partner from a wider block.
    public func match(
        tenantID: UUID, address: IPAddress?, crawler: String?, userAgent: String?, now: Date
    ) -> SyncBlockEntry? {
        if isEmpty { return nil }
        var found: SyncBlockEntry?
        func consider(_ entries: [SyncBlockEntry]?) {
            for entry in entries ?? [] where (entry.tenantID == nil || entry.tenantID == tenantID)
                && (entry.expiresAt.map { $0 > now } ?? true)
            {
                if found == nil || (entry.action == .allow && found?.action != .allow) { found = entry }
            }
        }
        if let address {
            consider(addresses[address])
            for prefix in rangePrefixes {
                consider(ranges[prefix]?[address.masked(prefixLength: prefix)])
            }
        }
        if let crawler { consider(crawlers[crawler.lowercased()]) }
        if let userAgent, !userAgents.isEmpty {
            let lowered = userAgent.lowercased()
            consider(userAgents.filter { lowered.contains($0.needle) }.map(\.entry))
        }
        return found
    }
}
