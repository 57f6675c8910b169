import NIOHTTP1
import Testing
@testable import TollgateEdge

@Suite struct EdgeRequestTests {
    @Test func splitsTargetAndNormalisesHost() {
        let request = EdgeRequest(
            method: "GET", scheme: "https", authority: "Example.COM:8443", target: "/a/b?c=d", headers: [:],
            clientAddress: nil)
        #expect(request.path == "/a/b")
        #expect(request.query == "c=d")
        #expect(request.hostname == "example.com")
        #expect(request.url == "https://Example.COM:8443/a/b?c=d")
        #expect(EdgeRequest(method: "GET", scheme: "http", authority: "[::1]:80", target: "/", headers: [:], clientAddress: nil).hostname == "::1")
    }
}
