#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as a 128-bit value (IPv4 in the low 32 bits), cheap to mask and hash.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let isIPv6: Bool
    let high: UInt64
    let low: UInt64

    public var bitCount: Int { isIPv6 ? 128 : 32 }

    /// Parses dotted IPv4 or any RFC 4291 IPv6 text form; an IPv4-mapped IPv6 address is read as IPv4.
    public init?(_ text: some StringProtocol) {
        var v4 = in_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            isIPv6 = false
            high = 0
            low = UInt64(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        let hi = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let lo = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if hi == 0, lo >> 32 == 0xFFFF {
            isIPv6 = false
            high = 0
            low = lo & 0xFFFF_FFFF
        } else {
            isIPv6 = true
            high = hi
            low = lo
        }
    }

    private init(isIPv6: Bool, high: UInt64, low: UInt64) {
        self.isIPv6 = isIPv6
        self.high = high
        self.low = low
    }

    /// The address with all but the first `prefix` bits cleared.
    public func masked(to prefix: Int) -> IPAddress {
        if !isIPv6 {
            let mask: UInt64 = prefix == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - prefix)) & 0xFFFF_FFFF
            return IPAddress(isIPv6: false, high: 0, low: low & mask)
        }
        let highMask: UInt64 = prefix >= 64 ? .max : (prefix == 0 ? 0 : .max << UInt64(64 - prefix))
        let lowMask: UInt64 = prefix <= 64 ? 0 : (prefix == 128 ? .max : .max << UInt64(128 - prefix))
        return IPAddress(isIPv6: true, high: high & highMask, low: low & lowMask)
    }

    public var description: String {
        if !isIPv6 {
            return [24, 16, 8, 0].map { String((low >> UInt64($0)) & 0xFF) }.joined(separator: ".")
        }
        let groups = [high >> 48, high >> 32, high >> 16, high, low >> 48, low >> 32, low >> 16, low].map { $0 & 0xFFFF }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }
}

/// An address range in CIDR notation (`203.0.113.0/24`, `2001:db8::/32`), held as its masked network.
public struct CIDRRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefix: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        if parts.count == 1 {
            prefix = address.bitCount
        } else {
            guard let bits = Int(parts[1]), (0...address.bitCount).contains(bits) else { return nil }
            prefix = bits
        }
        network = address.masked(to: prefix)
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.isIPv6 == network.isIPv6 && address.masked(to: prefix) == network
    }

    public var description: String { "\(network)/\(prefix)" }
}
