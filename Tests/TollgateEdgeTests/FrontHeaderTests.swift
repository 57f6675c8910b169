import NIOCore
import NIOHTTP1
import Testing
@testable import TollgateEdge

@Suite struct FrontHeaderTests {
    @Test func removesHopByHopFieldsAndThoseConnectionNames() {
        var headers: HTTPHeaders = [
            "Connection": "keep-alive, X-Private", "X-Private": "1", "Keep-Alive": "timeout=5", "TE": "trailers",
            "Trailer": "x", "Transfer-Encoding": "chunked", "Upgrade": "websocket", "Proxy-Authorization": "Basic x",
            "Proxy": "http://evil", "Proxyish": "kept", "Accept": "*/*", "Content-Length": "3",
        ]
        headers.removeHopByHopFields()
        #expect(headers.map(\.name) == ["Proxyish", "Accept", "Content-Length"])
    }

    @Test func keepsUpgradeForAWebSocketHandshake() {
        var headers: HTTPHeaders = ["Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Key": "k"]
        #expect(headers.isWebSocketUpgrade)
        headers.removeHopByHopFields(keepingUpgrade: true)
        #expect(headers.map(\.name) == ["Upgrade", "Sec-WebSocket-Key"])
        #expect(!HTTPHeaders([("Upgrade", "websocket")]).isWebSocketUpgrade)
        #expect(!HTTPHeaders([("Connection", "upgrade"), ("Upgrade", "h2c")]).isWebSocketUpgrade)
    }

    @Test func splitsAnAbsoluteFormTarget() {
        #expect(EdgeRequestBuilder.absoluteForm("http://a.example:8080/x?y")! == ("a.example:8080", "/x?y"))
        #expect(EdgeRequestBuilder.absoluteForm("https://a.example?q")! == ("a.example", "/?q"))
        #expect(EdgeRequestBuilder.absoluteForm("/x?http://b") == nil)
        #expect(EdgeRequestBuilder.absoluteForm("*") == nil)
    }

    @Test func comparesTokensIgnoringCase() {
        #expect("Keep-Alive".isEqualCaseInsensitive(to: "keep-alive"))
        #expect(!"Keep-Alivf".isEqualCaseInsensitive(to: "keep-alive"))
        #expect(!"keep".isEqualCaseInsensitive(to: "keep-alive"))
        #expect("close, Upgrade".containsToken("upgrade"))
        #expect(!"upgrades".containsToken("upgrade"))
    }
}
