/// A CIDR range (`10.0.0.0/8`, `2001:db8::/32`) or a single address, e.g. a trusted proxy.
public struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    let network: IPAddress
    /// Prefix length over the 128-bit form (IPv4 prefixes are offset by 96).
    let prefixLength: Int
    public let description: String

    /// Parses `address` or `address/prefix`; nil when either part is malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = address.isIPv4Mapped && !parts[0].contains(":") ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed) else { return nil }
            length = parsed
        }
        self.prefixLength = length + (128 - maximum)
        self.network = address.masked(prefixLength: self.prefixLength)
        self.description = text
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.masked(prefixLength: prefixLength) == network
    }
}
