import NIOCore
import NIOHTTP1
import Testing
@testable import TollgateEdge

@Suite struct ClientRequestParserTests {
    /// Feeds `text` in pieces of `step` bytes and summarises the parts the parser returns, one line per head, body
    /// (joined) and end; `buffer` keeps what was not parsed.
    private func parse(
        _ text: String, step: Int = .max, maxHeadSize: Int = 64 * 1024, parser: inout ClientRequestParser,
        buffer: inout ByteBuffer
    ) throws(HTTPMessageError) -> [String] {
        var lines: [String] = []
        var body = ""
        var rest = Substring(text).utf8[...]
        while !rest.isEmpty {
            let piece = rest.prefix(step)
            rest = rest.dropFirst(piece.count)
            buffer.writeBytes(piece)
            while let part = try parser.next(&buffer) {
                switch part {
                case .head(let request):
                    let head = request.head
                    let fields = head.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                    lines.append("head \(head.method.rawValue) \(head.uri) \(head.version) [\(fields)]")
                case .body(let bytes):
                    body += String(buffer: bytes)
                case .end(let trailers):
                    if !body.isEmpty { lines.append("body \(body)") }
                    body = ""
                    let fields = trailers.map { $0.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }
                    lines.append("end \(fields ?? "-")")
                }
            }
        }
        if !body.isEmpty { lines.append("body \(body)") }
        return lines
    }

    private func parse(_ text: String, step: Int = .max, maxHeadSize: Int = 64 * 1024) throws(HTTPMessageError)
        -> [String]
    {
        var parser = ClientRequestParser(maxHeadSize: maxHeadSize)
        var buffer = ByteBuffer()
        return try parse(text, step: step, parser: &parser, buffer: &buffer)
    }

    @Test func readsRequestsHoweverTheyAreSplit() throws {
        let requests = "POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-Empty:\r\n\r\nhello"
            + "GET / HTTP/1.1\r\nhost:  y \r\n\r\n"
        let expected = [
            "head POST /a?b=1 HTTP/1.1 [Host=x,Content-Length=5,X-Empty=]", "body hello", "end -",
            "head GET / HTTP/1.1 [host=y]", "end -",
        ]
        for step in [1, 2, 5, 13, 1000] {
            #expect(try parse(requests, step: step) == expected)
        }
    }

    @Test func decodesAChunkedBodyWithExtensionsAndTrailers() throws {
        let chunked = "PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n"
        for step in [1, 4, 1000] {
            #expect(
                try parse(chunked, step: step) == [
                    "head PUT /up HTTP/1.1 [Host=x,Transfer-Encoding=chunked]", "body hello world",
                    "end X-Checksum=abc",
                ])
        }
    }

    @Test func acceptsWhatRFC9112Allows() throws {
        // Empty lines before a request, HTTP/1.0 without Host, an absolute-form target, unknown methods, raw UTF-8.
        #expect(
            try parse("\r\n\r\nGET http://x/p HTTP/1.0\r\n\r\nPURGE * HTTP/1.1\r\nHost: x\r\n\r\n") == [
                "head GET http://x/p HTTP/1.0 []", "end -", "head PURGE * HTTP/1.1 [Host=x]", "end -",
            ])
        #expect(try parse("GET /caf\u{e9} HTTP/1.1\r\nHost: x\r\n\r\n") == ["head GET /caf\u{e9} HTTP/1.1 [Host=x]", "end -"])
        // Repeated identical lengths are one length (RFC 9110 §8.6).
        #expect(try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\nok").count == 3)
    }

    @Test func refusesWhatCannotBeFramedWithCertainty() throws {
        let refused: [(String, HTTPMessageError)] = [
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", .unsupportedVersion),
            ("GET / HTTP/0.9\r\nHost: x\r\n\r\n", .unsupportedVersion),
            ("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .invalidRequestLine),
            ("GET /  HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine),
            ("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine),
            ("GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine),
            ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine),
            ("GET / http/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine),
            ("GET /\u{7f} HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine),
            ("GET / HTTP/1.1\nHost: x\r\n\r\n", .invalidRequestLine),
            ("GET / HTTP/1.1\r\n\nHost: x\r\n\r\n", .invalidHeaderField),
            ("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", .invalidHeaderField),
            ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .invalidHeaderField),
            ("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", .invalidHeaderField),
            ("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", .invalidHeaderField),
            ("GET / HTTP/1.1\r\n\r\n", .invalidHost),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .invalidHost),
            ("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", .invalidHost),
            // The classic smuggling shapes (CL.TE, TE.CL, TE.TE).
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n", .conflictingFraming),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", .conflictingFraming),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .conflictingFraming),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", .invalidTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", .invalidTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
                .invalidTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferCoding),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                .unsupportedTransferCoding),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3 4\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", .invalidChunk),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", .invalidChunk),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\nab", .invalidChunk),
        ]
        for (request, error) in refused {
            #expect(throws: error, "\(request.debugDescription)") { try parse(request) }
        }
    }

    @Test func readsKeepAliveAndExpectFromTheFields() throws {
        func head(_ text: String) throws -> ClientRequestHead {
            var parser = ClientRequestParser(maxHeadSize: 1024)
            var buffer = ByteBuffer(string: text)
            guard case .head(let head) = try parser.next(&buffer) else { throw HTTPMessageError.invalidRequestLine }
            return head
        }
        let cases: [(String, keepAlive: Bool, expects: Bool)] = [
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true, false),
            ("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n", false, false),
            ("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n", false, false),
            ("GET / HTTP/1.0\r\n\r\n", false, false),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true, false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false, false),
            ("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", true, true),
            ("PUT / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\n", true, false),
        ]
        for (text, keepAlive, expects) in cases {
            let parsed = try head(text)
            #expect(parsed.isKeepAlive == keepAlive, "\(text)")
            #expect(parsed.expectsContinue == expects, "\(text)")
        }
    }

    @Test func tokenBytesAreRFC9110sTchars() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(isTokenByte(byte) == tchars.contains(byte), "byte \(byte)")
        }
    }

    @Test func refusesAHeadOverTheLimitBeforeItHasAllArrived() throws {
        let big = "GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Filler: \(String(repeating: "a", count: 100))\r\n", count: 20)
        #expect(throws: HTTPMessageError.headTooLarge) { try parse(big, step: 512, maxHeadSize: 1024) }
        #expect(try parse(big + "\r\n", maxHeadSize: 4096).count == 2)
    }

    @Test func readsNothingAfterAnError() throws {
        var parser = ClientRequestParser(maxHeadSize: 1024)
        var buffer = ByteBuffer()
        #expect(throws: HTTPMessageError.invalidHost) {
            try parse("GET / HTTP/1.1\r\n\r\n", parser: &parser, buffer: &buffer)
        }
        #expect(parser.state == .failed)
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", parser: &parser, buffer: &buffer).isEmpty)
    }

    @Test func leavesTheBytesAfterAnUpgradeOrCONNECTToTheTunnel() throws {
        for request in [
            "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\nContent-Length: 3\r\n\r\n",
        ] {
            var parser = ClientRequestParser(maxHeadSize: 1024)
            var buffer = ByteBuffer()
            let parts = try parse(request + "\u{81}\u{5}hello GET / HTTP/1.1\r\n\r\n", parser: &parser, buffer: &buffer)
            #expect(parts.count == 2)
            #expect(parser.state == .tunnel)
            #expect(String(buffer: buffer) == "\u{81}\u{5}hello GET / HTTP/1.1\r\n\r\n")
        }
        // Upgrade without Connection naming it is an ordinary request.
        var parser = ClientRequestParser(maxHeadSize: 1024)
        var buffer = ByteBuffer()
        _ = try parse("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n", parser: &parser, buffer: &buffer)
        #expect(parser.state == .head)
    }
}
