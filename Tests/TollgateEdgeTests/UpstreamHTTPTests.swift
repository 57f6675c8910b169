import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import TollgateEdge

@Suite struct UpstreamHTTPTests {
    /// Feeds `text` in pieces of `step` bytes and collects the parts the parser returns.
    private func parse(
        _ text: String, step: Int = .max, answeringHEAD: Bool = false, closing: Bool = false
    ) throws(HTTPMessageError) -> [UpstreamResponsePart] {
        var parser = UpstreamResponseParser()
        parser.answersHEAD = answeringHEAD
        var parts: [UpstreamResponsePart] = []
        var buffer = ByteBuffer()
        var rest = Substring(text).utf8[...]
        while !rest.isEmpty {
            let piece = rest.prefix(step)
            rest = rest.dropFirst(piece.count)
            buffer.writeBytes(piece)
            while let part = try parser.next(&buffer) { parts.append(part) }
        }
        if closing, let end = try parser.connectionClosed() { parts.append(end) }
        return parts
    }

    /// Head, the body's bytes joined, and the end: what a client sees of one response.
    private func summary(_ parts: [UpstreamResponsePart]) -> [String] {
        var lines: [String] = []
        var body = ""
        for part in parts {
            switch part {
            case .head(let head):
                let fields = head.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                let reason = head.reason.readableBytes == 0 ? "-" : String(buffer: head.reason)
                lines.append("head \(head.version) \(head.status.code) \(reason) [\(fields)]")
            case .body(let bytes):
                body += String(buffer: bytes)
            case .end(let trailers):
                if !body.isEmpty { lines.append("body \(body)") }
                body = ""
                lines.append("end \(trailers.map { $0.map { "\($0.name)=\($0.value)" }.joined(separator: ",") } ?? "-")")
            }
        }
        if !body.isEmpty { lines.append("body \(body)") }
        return lines
    }

    @Test func writesFieldsAndLinesAsOneWrite() {
        var buffer = ByteBuffer()
        buffer.writeHTTPField("x-empty", "")
        buffer.writeHTTPField("", "")
        buffer.writeHTTPField("via", "1.1 caf\u{e9}")
        let long = String(repeating: "/a", count: 600)
        buffer.writeJoined("GET", " ", long, " HTTP/1.1\r\n")
        #expect(String(buffer: buffer) == "x-empty: \r\n: \r\nvia: 1.1 caf\u{e9}\r\nGET \(long) HTTP/1.1\r\n")
    }

    @Test func readsALengthDelimitedResponseHoweverItIsSplit() throws {
        let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Empty:\r\n\r\nhello"
        let expected = ["head HTTP/1.1 200 OK [Content-Type=text/plain,Content-Length=5,X-Empty=]", "body hello", "end -"]
        for step in [1, 2, 7, 1000] {
            #expect(summary(try parse(response, step: step)) == expected)
        }
    }

    @Test func readsConsecutiveResponsesOnOneConnection() throws {
        let two = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.0 404 \r\ncontent-length: 2\r\n\r\nno"
        #expect(
            summary(try parse(two)) == [
                "head HTTP/1.1 204 No Content []", "end -",
                // The reason phrase is relayed as it came, even empty.
                "head HTTP/1.0 404 - [content-length=2]", "body no", "end -",
            ])
    }

    @Test func decodesChunksWithExtensionsAndTrailers() throws {
        let chunked =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;name=value\r\nhello\r\nB\r\n, world!!!!\r\n"
            + "0\r\nX-Checksum: abc\r\n\r\n"
        for step in [1, 3, 1000] {
            #expect(
                summary(try parse(chunked, step: step)) == [
                    "head HTTP/1.1 200 OK [Transfer-Encoding=gzip, chunked]", "body hello, world!!!!",
                    "end X-Checksum=abc",
                ])
        }
    }

    @Test func headResponsesAndNotModifiedCarryNoBody() throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"
        #expect(
            summary(try parse(head, answeringHEAD: true)) == [
                "head HTTP/1.1 200 OK [Content-Length=1000]", "end -",
                "head HTTP/1.1 304 Not Modified [Content-Length=9]", "end -",
            ])
    }

    @Test func skipsInterimResponses() throws {
        let response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
            + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
        #expect(summary(try parse(response)) == ["head HTTP/1.1 201 Created [Content-Length=0]", "end -"])
    }

    @Test func aBodyWithoutLengthRunsUntilTheClose() throws {
        let response = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of this"
        #expect(
            summary(try parse(response, step: 4, closing: true)) == [
                "head HTTP/1.1 200 OK [Connection=close]", "body all of this", "end -",
            ])
        // A close before the announced end is no end.
        #expect(throws: HTTPMessageError.truncated) {
            try parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", closing: true)
        }
        #expect(throws: HTTPMessageError.truncated) {
            try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", closing: true)
        }
    }

    @Test func refusesWhatCannotBeFramedWithCertainty() {
        let refused: [(String, HTTPMessageError)] = [
            ("HTTP/2 200 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 20 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 099 Low\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 200OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 200 O\u{1}K\r\n\r\n", .invalidStatusLine),
            ("\r\n", .invalidStatusLine),
            ("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", .invalidHeaderField),
            ("HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n", .invalidHeaderField),
            ("HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n", .invalidHeaderField),
            ("HTTP/1.1 200 OK\r\n: 1\r\n\r\n", .invalidHeaderField),
            ("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", .invalidHeaderField),
            ("HTTP/1.1 200 OK\r\nX-A: a\nb\r\n\r\n", .invalidHeaderField),
            ("HTTP/1.1 200 OK\r\nX-A: a\u{0}b\r\n\r\n", .invalidHeaderField),
            ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", .conflictingFraming),
            ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", .invalidChunk),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n", .invalidChunk),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", .invalidChunk),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", .invalidChunk),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab", .invalidChunk),
        ]
        for (response, error) in refused {
            #expect(throws: error, "\(response.debugDescription)") { try parse(response) }
        }
        // Repeated identical lengths are one length (RFC 9110 §8.6).
        #expect((try? parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok").count) == 3)
    }

    @Test func refusesAnOversizedHead() {
        let big = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: \(String(repeating: "a", count: 100))\r\n", count: 700)
        #expect(throws: HTTPMessageError.headTooLarge) { try parse(big, step: 4096) }
    }

    // MARK: What the relay needs from a head

    private func head(_ text: String) throws -> UpstreamResponseHead {
        guard case .head(let head) = try parse(text).first else { throw HTTPMessageError.truncated }
        return head
    }

    @Test func setsAsideHopByHopLinesAndKeepsTheRestAsTheyCame() throws {
        let response = try head(
            "HTTP/1.1 200 OK\r\nServer: t\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Mixed-Case:  a b \r\n"
                + "Transfer-Encoding: chunked\r\nTE: trailers\r\nTrailer: x\r\nProxy-Thing: p\r\nProxy: h\r\n"
                + "Upgrade: h2c\r\nProxyish: kept\r\nLast: 1\r\n\r\n")
        #expect(response.relayedFields.map { String(buffer: $0) } == "Server: t\r\nX-Mixed-Case:  a b \r\nProxyish: kept\r\nLast: 1\r\n")
        #expect(response.isKeepAlive && !response.hasContentLength && !response.hasPayPerCrawlFields)
        // Without hop-by-hop lines the fields are relayed as they are, without a copy.
        let plain = try head("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nCrawler-Price: USD 1.00\r\n\r\n")
        #expect(plain.relayedFields.map { String(buffer: $0) } == "Content-Length: 0\r\nCrawler-Price: USD 1.00\r\n")
        #expect(plain.hasContentLength && plain.hasPayPerCrawlFields)
        #expect(try head("HTTP/1.1 204 No Content\r\ncrawler-charged: USD 1.00\r\n\r\n").hasPayPerCrawlFields)
    }

    @Test func aConnectionFieldNamingOtherFieldsNeedsTheFullHeaders() throws {
        let response = try head("HTTP/1.1 200 OK\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nContent-Length: 0\r\n\r\n")
        #expect(response.relayedFields == nil)
        var headers = response.headers
        headers.removeHopByHopFields()
        #expect(headers.map(\.name) == ["Content-Length"])
        #expect(!response.isKeepAlive)
    }

    @Test func tellsWhetherTheConnectionCanBeReused() throws {
        let cases: [(String, Bool)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
            ("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", true),
            // A body that ends with the connection leaves nothing to reuse.
            ("HTTP/1.1 200 OK\r\n\r\n", false),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true),
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", false),
        ]
        for (text, reusable) in cases {
            #expect(try head(text).isKeepAlive == reusable, "\(text.debugDescription)")
        }
    }

    @Test func anUnknownStatusKeepsItsReasonPhrase() throws {
        let response = try head("HTTP/1.1 599 Origin Trouble\r\nContent-Length: 0\r\n\r\n")
        #expect(response.status.code == 599 && response.status.reasonPhrase == "Origin Trouble")
        #expect(try head("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").status == .ok)
    }

    // MARK: Writing

    @Test func writesChunkSizesInHex() {
        for (size, hex) in [(1, "1"), (15, "f"), (16, "10"), (26, "1a"), (65536, "10000"), (Int(Int32.max), "7fffffff")] {
            var buffer = ByteBuffer()
            buffer.writeChunkSize(size)
            #expect(String(buffer: buffer) == "\(hex)\r\n")
        }
    }

    /// The upstream head for a raw client request, read by `ClientRequestParser` as the front reads it.
    private func requestHead(
        _ text: String, peer: ClientPeer, plan: ForwardPlan = ForwardPlan(record: .init(action: "pass", reason: "t"))
    ) throws -> UpstreamRequestHead {
        var parser = ClientRequestParser(maxHeadSize: 4096)
        var buffer = ByteBuffer(string: text)
        guard case .head(let client) = try parser.next(&buffer) else { throw HTTPMessageError.truncated }
        let builder = EdgeRequestBuilder(scheme: "http", trustedProxies: TrustedProxies(ranges: [], trustsEveryPeer: false))
        return UpstreamRequestHead(
            client, request: builder.reverseProxy(client.head, peer: peer), peer: peer, plan: plan,
            keepingUpgrade: false, removingExpect: true, hostField: "127.0.0.1:8080", allocator: ByteBufferAllocator())
    }

    @Test func writesTheUpstreamRequestHeadInOnePass() throws {
        let head = "POST http://site.example/p?q=1 HTTP/1.1\r\nHost: site.example\r\nConnection: keep-alive, X-Hop\r\n"
            + "X-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n"
            + "X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-Host: claimed.example\r\nX-Forwarded-Proto: https\r\n"
            + "Authorization: token\r\nX-Tollgate-Action: forged\r\nVia: 1.0 other\r\nAccept:  */* \r\n\r\n"
        let plan = ForwardPlan(
            requestHeaders: [("x-tollgate-action", "pass"), ("cf-pay-per-crawl", "a"), ("X-Tollgate-Action", "charge")],
            removedRequestHeaders: ["authorization"], record: .init(action: "pass", reason: "t"))
        let untrusted = try requestHead(head, peer: ClientPeer(address: "203.0.113.9", isTrusted: false), plan: plan)
        #expect(untrusted.isChunked && !untrusted.isHEAD)
        // The lines passed on keep their spelling and spacing.
        #expect(
            String(buffer: untrusted.bytes)
                == "POST /p?q=1 HTTP/1.1\r\nHost: site.example\r\nVia: 1.0 other\r\nAccept:  */* \r\n"
                + "transfer-encoding: chunked\r\nx-forwarded-for: 203.0.113.9\r\nx-forwarded-proto: http\r\n"
                + "x-forwarded-host: site.example\r\nvia: 1.1 tollgate-edge\r\ncf-pay-per-crawl: a\r\n"
                + "X-Tollgate-Action: charge\r\n\r\n")

        // A trusted proxy's hops and host are kept; an HTTP/1.0 request without Host gets the upstream's.
        let forwarded = "HEAD / HTTP/1.0\r\nX-Forwarded-For: 198.51.100.1\r\nx-forwarded-for: 10.0.0.1\r\n"
            + "X-Forwarded-Host: a.example\r\n\r\n"
        let trusted = try requestHead(forwarded, peer: ClientPeer(address: "10.0.0.2", isTrusted: true))
        #expect(trusted.isHEAD && !trusted.isChunked)
        #expect(
            String(buffer: trusted.bytes)
                == "HEAD / HTTP/1.1\r\nX-Forwarded-Host: a.example\r\nhost: 127.0.0.1:8080\r\n"
                + "x-forwarded-for: 198.51.100.1, 10.0.0.1, 10.0.0.2\r\nx-forwarded-proto: http\r\n"
                + "via: 1.1 tollgate-edge\r\n\r\n")
    }

    @Test func chunksARequestBodyThatCameWithoutALength() throws {
        let channel = EmbeddedChannel()
        let pool = UpstreamPool(eventLoop: channel.embeddedEventLoop, configuration: .init(host: "127.0.0.1", port: 9))
        let connection = UpstreamConnection(pool: pool)
        try channel.pipeline.syncOperations.addHandler(connection)
        let chunked = "POST /upload HTTP/1.1\r\nHost: origin\r\nTransfer-Encoding: chunked\r\n\r\n"
        connection.writeHead(try requestHead(chunked, peer: ClientPeer(address: nil, isTrusted: false)))
        connection.writeBody(ByteBuffer(string: "hello world, 26 bytes long"))
        connection.writeBody(ByteBuffer())
        connection.writeEnd(["X-Sum": "1"])
        connection.flush()
        #expect(try written(channel).hasSuffix("\r\n\r\n1a\r\nhello world, 26 bytes long\r\n0\r\nX-Sum: 1\r\n\r\n"))

        let sized = "PUT / HTTP/1.1\r\nHost: origin\r\nContent-Length: 2\r\n\r\n"
        connection.writeHead(try requestHead(sized, peer: ClientPeer(address: nil, isTrusted: false)))
        connection.writeBody(ByteBuffer(string: "ok"))
        connection.writeEnd(nil)
        connection.flush()
        #expect(try written(channel).hasSuffix("via: 1.1 tollgate-edge\r\n\r\nok"))
        _ = try channel.finish()
    }

    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }
}
