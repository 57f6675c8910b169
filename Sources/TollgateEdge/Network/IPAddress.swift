#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// An IPv4 or IPv6 address as 128 bits. IPv4 is held IPv4-mapped (`::ffff:a.b.c.d`), so one comparison serves both
/// families and a peer seen through a dual-stack listener matches an IPv4 range.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(ipv4 address: UInt32) {
        self.init(high: 0, low: 0x0000_FFFF_0000_0000 | UInt64(address))
    }

    /// Parses `192.0.2.1`, `2001:db8::1`, and the bracketed or port-suffixed forms found in `X-Forwarded-For`.
    public init?(_ text: some StringProtocol) {
        var text = Substring(text)
        if text.first == "[", let close = text.firstIndex(of: "]") {
            text = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon, text.contains(".") {
            text = text[..<colon]
        }
        guard let address = Self.parse(String(text)) else { return nil }
        self = address
    }

    init?(_ address: SocketAddress) {
        // Read from the sockaddr bytes: sin_addr sits at offset 4, sin6_addr at offset 8.
        let parsed: IPAddress? = address.withSockAddr { pointer, length in
            let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
            switch address {
            case .v4 where length >= 8:
                return IPAddress(ipv4: UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            case .v6 where length >= 24:
                return IPAddress(bytes: UnsafeRawBufferPointer(rebasing: bytes[8..<24]))
            default:
                return nil
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.init(
            high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    private static func parse(_ text: String) -> IPAddress? {
        var storage: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &storage) { bytes in
            if inet_pton(AF_INET, text, bytes.baseAddress) == 1 {
                return IPAddress(ipv4: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
            }
            if inet_pton(AF_INET6, text, bytes.baseAddress) == 1 {
                return IPAddress(bytes: UnsafeRawBufferPointer(bytes))
            }
            return nil
        }
    }

    var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// Dotted form for IPv4 (also when mapped), so a dual-stack listener reports `192.0.2.1`, not `::ffff:192.0.2.1`.
    var ipv4Description: String? {
        guard isIPv4Mapped else { return nil }
        return "\((low >> 24) & 0xFF).\((low >> 16) & 0xFF).\((low >> 8) & 0xFF).\(low & 0xFF)"
    }

    /// The address with all but the first `prefixLength` of its 128 bits cleared.
    func masked(prefixLength: Int) -> IPAddress {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
        return IPAddress(high: high & mask(prefixLength), low: low & mask(prefixLength - 64))
    }

    public var description: String {
        if let ipv4Description { return ipv4Description }
        let groups = [high >> 48, high >> 32, high >> 16, high, low >> 48, low >> 32, low >> 16, low].map { $0 & 0xFFFF }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }
}
