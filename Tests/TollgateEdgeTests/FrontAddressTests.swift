import NIOCore
import Testing
@testable import TollgateEdge

@Suite struct FrontAddressTests {
    @Test func matchesCIDRRanges() throws {
        let v4 = try #require(IPAddressRange("10.1.0.0/16"))
        #expect(v4.contains(IPAddress("10.1.200.3")!))
        #expect(!v4.contains(IPAddress("10.2.0.1")!))
        #expect(v4.contains(IPAddress("::ffff:10.1.0.9")!))
        let v6 = try #require(IPAddressRange("2001:db8::/32"))
        #expect(v6.contains(IPAddress("2001:db8:1::5")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        #expect(!v6.contains(IPAddress("10.1.0.1")!))
        let single = try #require(IPAddressRange("192.0.2.1"))
        #expect(single.contains(IPAddress("192.0.2.1")!))
        #expect(!single.contains(IPAddress("192.0.2.2")!))
        #expect(IPAddressRange("0.0.0.0/0")!.contains(IPAddress("198.51.100.1")!))
        #expect(IPAddressRange("10.0.0.0/33") == nil)
        #expect(IPAddressRange("not-an-address") == nil)
    }

    @Test func parsesForwardedForEntries() {
        #expect(IPAddress("[2001:db8::1]:443") == IPAddress("2001:db8::1"))
        #expect(IPAddress("192.0.2.1:8080") == IPAddress("192.0.2.1"))
        #expect(IPAddress("unknown") == nil)
    }

    @Test func readsPeerAddresses() throws {
        let v4 = try SocketAddress(ipAddress: "192.0.2.7", port: 1)
        #expect(IPAddress(v4) == IPAddress("192.0.2.7"))
        let mapped = try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1)
        #expect(IPAddress(mapped)?.ipv4Description == "192.0.2.7")
        let v6 = try SocketAddress(ipAddress: "2001:db8::7", port: 1)
        #expect(IPAddress(v6) == IPAddress("2001:db8::7"))
    }

    @Test func findsTheClientBehindTrustedProxies() {
        let proxies = TrustedProxies(ranges: [IPAddressRange("10.0.0.0/8")!], trustsEveryPeer: false)
        #expect(proxies.client(forwardedFor: ["198.51.100.1, 203.0.113.9", "10.0.0.2"]) == "203.0.113.9")
        #expect(proxies.client(forwardedFor: ["10.0.0.3, 10.0.0.2"]) == "10.0.0.3")
        #expect(proxies.client(forwardedFor: ["garbage, 10.0.0.2"]) == "garbage")
        #expect(proxies.peer(try! SocketAddress(ipAddress: "10.9.9.9", port: 1)).isTrusted)
        #expect(!proxies.peer(try! SocketAddress(ipAddress: "127.0.0.1", port: 1)).isTrusted)
    }
}
