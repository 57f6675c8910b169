import NIOCore
import NIOPosix

/// A plain TCP client for what an HTTP client library would hide: exact header fields, HTTP/1.0, pipelining,
/// `Expect: 100-continue`, upgrades.
struct RawConnection {
    struct Response {
        var version: String
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        func hasHeader(_ name: String) -> Bool { header(name) != nil }
    }

    struct ClosedEarly: Error {}

    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending = ByteBuffer()

    static func with<T>(port: Int, _ body: (inout RawConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = RawConnection(iterator: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&connection)
        }
    }

    private init(iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.iterator = iterator
        self.outbound = outbound
    }

    func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Half-closes: the server sees the end of input.
    func finishSending() {
        outbound.finish()
    }

    /// Reads one response; `bodyless` for a HEAD request's.
    mutating func readResponse(bodyless: Bool = false) async throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = pending.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8))?.lowerBound
            if headEnd == nil { guard try await receive() else { throw ClosedEarly() } }
        }
        let headLength = headEnd! - pending.readerIndex
        let headText = pending.readString(length: headLength)!
        pending.moveReaderIndex(forwardBy: 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        let headers = lines.map { line -> (name: String, value: String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1].drop { $0 == " " }) : "")
        }
        var response = Response(version: String(statusLine[0]), status: Int(statusLine[1])!, headers: headers, body: "")
        if bodyless || response.status < 200 || response.status == 204 || response.status == 304 { return response }
        if let length = response.header("content-length").flatMap(Int.init) {
            response.body = try await readString(count: length)
        } else if response.header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                let sizeLine = try await readLine()
                let size = Int(sizeLine, radix: 16)!
                if size == 0 {
                    _ = try await readLine()
                    break
                }
                response.body += try await readString(count: size)
                _ = try await readLine()
            }
        } else {
            response.body = String(buffer: try await readToEnd())
        }
        return response
    }

    /// Waits until a whole response head has arrived, and returns how many bytes came after it so far; the head
    /// stays to be read.
    mutating func waitForHead() async throws -> Int {
        while true {
            if let end = pending.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                return pending.writerIndex - end
            }
            guard try await receive() else { throw ClosedEarly() }
        }
    }

    /// Everything until the server closes.
    mutating func readToEnd() async throws -> ByteBuffer {
        while try await receive() {}
        let all = pending
        pending.clear()
        return all
    }

    mutating func readString(count: Int) async throws -> String {
        while pending.readableBytes < count {
            guard try await receive() else { throw ClosedEarly() }
        }
        return pending.readString(length: count)!
    }

    private mutating func readLine() async throws -> String {
        while true {
            if let end = pending.readableBytesView.firstRange(of: Array("\r\n".utf8))?.lowerBound {
                let line = pending.readString(length: end - pending.readerIndex)!
                pending.moveReaderIndex(forwardBy: 2)
                return line
            }
            guard try await receive() else { throw ClosedEarly() }
        }
    }

    private mutating func receive() async throws -> Bool {
        guard var buffer = try await iterator.next() else { return false }
        pending.writeBuffer(&buffer)
        return true
    }
}
