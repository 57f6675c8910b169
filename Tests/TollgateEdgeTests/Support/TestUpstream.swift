import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small origin server for the proxy tests, on 127.0.0.1 and a free port. Routes:
/// - `/download/<n>`: n bytes of `TestPattern`, written as fast as the connection takes them (`?chunked` omits
///   Content-Length);
/// - `/upload`: reads the body and answers `<count> <checksum>`; `x-hold-ms` stops reading for that long first;
/// - `/slow`: never answers;
/// - `/status/<code>`: answers with that status;
/// - `/ws`: answers a WebSocket handshake with 101 and `hello` in the same write, then echoes raw bytes;
/// - `/chunked`: a body without Content-Length;
/// - `/truncated`: promises 1000 bytes, sends 10 and closes;
/// - `/delay/<ms>`: answers after that long;
/// - `/respond/<code>`: answers with that status, `ok`, and a field `<name>` for each request field `x-respond-<name>`;
/// - anything else: echoes the request body, with hop-by-hop fields of its own in the response.
/// With `closesReusedConnections` it drops any connection on its second request without answering.
final class TestUpstream: Sendable {
    struct SeenRequest: Sendable {
        var method: HTTPMethod
        var uri: String
        var headers: HTTPHeaders
        var body: [UInt8]
        var connection: Int
    }

    struct State {
        var requests: [SeenRequest] = []
        var connections = 0
        var bytesWritten = 0
        var uploads: [(count: Int, checksum: UInt64)] = []
    }

    let state = Mutex(State())
    let closesReusedConnections: Bool
    private let channel: any Channel
    let port: Int

    private init(channel: any Channel, closesReusedConnections: Bool) {
        self.channel = channel
        self.port = channel.localAddress!.port!
        self.closesReusedConnections = closesReusedConnections
    }

    static func start(group: any EventLoopGroup, closesReusedConnections: Bool = false) async throws -> TestUpstream {
        let box = Mutex<TestUpstream?>(nil)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let upstream = box.withLock({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
                    try channel.pipeline.syncOperations.addHandler(TestUpstreamHandler(upstream: upstream))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let upstream = TestUpstream(channel: channel, closesReusedConnections: closesReusedConnections)
        box.withLock { $0 = upstream }
        return upstream
    }

    var requests: [SeenRequest] { state.withLock { $0.requests } }
    var connectionCount: Int { state.withLock { $0.connections } }
    var bytesWritten: Int { state.withLock { $0.bytesWritten } }

    func stop() async throws {
        try await channel.close()
    }
}

private final class TestUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let upstream: TestUpstream
    private var connection = 0
    private var requestsOnConnection = 0
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var checksum = Checksum()
    private var remainingDownload = 0
    private var downloadOffset = 0

    init(upstream: TestUpstream) {
        self.upstream = upstream
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connection = upstream.state.withLock { state in
            state.connections += 1
            return state.connections
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestsOnConnection += 1
            if upstream.closesReusedConnections && requestsOnConnection > 1 {
                self.head = nil
                context.close(promise: nil)
                return
            }
            self.head = head
            body = []
            checksum = Checksum()
            if head.uri.hasPrefix("/upload"), let hold = head.headers.first(name: "x-hold-ms").flatMap(Int64.init) {
                let channel = context.channel
                channel.setOption(.autoRead, value: false).whenSuccess {
                    channel.eventLoop.scheduleTask(in: .milliseconds(hold)) {
                        channel.setOption(.autoRead, value: true).whenSuccess { channel.read() }
                    }
                }
            }
        case .body(var buffer):
            if head?.uri.hasPrefix("/upload") == true {
                checksum.update(buffer)
            } else {
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        case .end:
            guard let head else { return }
            upstream.state.withLock {
                $0.requests.append(
                    .init(method: head.method, uri: head.uri, headers: head.headers, body: body, connection: connection))
            }
            respond(to: head, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { continueDownload(context: context) }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if path.hasPrefix("/download/"), let size = Int(path.dropFirst("/download/".count)) {
            var headers: HTTPHeaders = ["content-type": "application/octet-stream"]
            if !head.uri.hasSuffix("?chunked") { headers.add(name: "content-length", value: String(size)) }
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            remainingDownload = size
            downloadOffset = 0
            continueDownload(context: context)
        } else if path == "/upload" {
            upstream.state.withLock { $0.uploads.append((checksum.count, checksum.value)) }
            send(.ok, body: "\(checksum.count) \(checksum.value)", context: context)
        } else if path == "/slow" {
            return
        } else if path.hasPrefix("/status/"), let code = Int(path.dropFirst("/status/".count)) {
            send(HTTPResponseStatus(statusCode: code), body: "status \(code)", context: context)
        } else if path == "/ws" {
            let headers: HTTPHeaders = ["upgrade": "websocket", "connection": "Upgrade", "sec-websocket-accept": "test"]
            context.write(
                wrapOutboundOut(.head(.init(version: .http1_1, status: .switchingProtocols, headers: headers))),
                promise: nil)
            // In front of the HTTP handlers, the echo sees every byte from now on and writes past them. Its greeting
            // goes out in one flush with the 101, so the proxy reads both at once.
            try? context.channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
            let echo = EchoHandler()
            try? context.pipeline.syncOperations.addHandler(echo, position: .first)
            echo.greet()
        } else if path.hasPrefix("/respond/"), let code = Int(path.dropFirst("/respond/".count)) {
            var headers: HTTPHeaders = ["content-length": "2"]
            for (name, value) in head.headers where name.lowercased().hasPrefix("x-respond-") {
                headers.add(name: String(name.dropFirst("x-respond-".count)), value: value)
            }
            let status = HTTPResponseStatus(statusCode: code)
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else if path == "/truncated" {
            let headers: HTTPHeaders = ["content-length": "1000"]
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "0123456789")))))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else if path.hasPrefix("/delay/"), let delay = Int64(path.dropFirst("/delay/".count)) {
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay)) {
                self.send(.ok, body: "delayed", context: context)
            }
        } else if path == "/late-body" {
            // The head now, the body a second later.
            let headers: HTTPHeaders = ["content-length": "5"]
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) {
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "hello")))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        } else if path == "/chunked" {
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "hello ")))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "chunked")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let headers: HTTPHeaders = [
                "content-length": String(body.count), "x-upstream": "yes", "keep-alive": "timeout=5",
                "connection": "keep-alive, x-upstream-hop", "x-upstream-hop": "secret",
            ]
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func send(_ status: HTTPResponseStatus, body: String, context: ChannelHandlerContext) {
        let headers: HTTPHeaders = ["content-length": String(body.utf8.count), "content-type": "text/plain"]
        context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func continueDownload(context: ChannelHandlerContext) {
        guard remainingDownload > 0 else { return }
        while remainingDownload > 0 && context.channel.isWritable {
            let size = min(remainingDownload, 64 * 1024)
            var chunk = context.channel.allocator.buffer(capacity: size)
            TestPattern.write(into: &chunk, offset: downloadOffset, count: size)
            downloadOffset += size
            remainingDownload -= size
            upstream.state.withLock { $0.bytesWritten += size }
            context.write(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
        }
        if remainingDownload == 0 {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.flush()
        }
    }
}

/// Echoes raw bytes; on end of input, closes its output after what it has echoed.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func greet() {
        context?.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "hello")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            context.close(mode: .output, promise: nil)
        }
    }
}
