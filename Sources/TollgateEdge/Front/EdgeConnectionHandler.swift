import NIOCore
import NIOHTTP1

/// Serves one client connection: builds the `EdgeRequest` for each request head, asks the decider, then answers
/// locally or (in reverse-proxy mode) streams the exchange through a pooled upstream connection on the same event
/// loop. Everything runs on that loop, so this handler and its upstream call each other directly.
///
/// Requests are read from the connection's bytes by `ClientRequestParser` and served one at a time; a pipelined next
/// request waits in `inbound` with reading paused, as do body parts that arrive while a decision or an upstream
/// connection is pending.
final class EdgeConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    /// After a WebSocket upgrade, the bytes that came behind the request go on to the tunnel.
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = Never
    /// Responses are written as bytes (`EdgeConnectionHandler+Writing`).
    typealias OutboundOut = ByteBuffer

    enum Phase {
        /// Between requests.
        case idle
        /// Waiting for a `.later` verdict or a forward-auth response hook.
        case deciding
        /// Waiting for a new upstream connection.
        case connecting
        /// Streaming to and from the upstream.
        case forwarding
        /// The response is complete; the rest of the request body is read and dropped.
        case draining
        case closed
    }

    /// Past this much unread request body after the response, closing is cheaper than reading on.
    static let maxDrainedBytes = 1 << 20

    let settings: FrontSettings
    /// nil in forward-auth mode.
    let pool: UpstreamPool?
    var context: ChannelHandlerContext!
    var peer = ClientPeer(address: nil, isTrusted: false)
    var parser: ClientRequestParser
    /// Bytes read but not parsed yet.
    var received: ByteBuffer?
    /// A request that could not be read, answered once the exchanges before it are done.
    var malformed: HTTPMessageError?
    var phase = Phase.idle
    var inbound = CircularBuffer<ClientRequestPart>(initialCapacity: 4)
    var isProcessingInbound = false
    var hasPendingRead = false
    var isQuiescing = false
    var idleSince = NIODeadline.now()
    var idleTimer: Scheduled<Void>?

    // The current exchange.
    var exchangeID: UInt64 = 0
    var request: EdgeRequest?
    var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
    /// `head` with the field lines as they came, for the upstream request.
    var clientHead: ClientRequestHead?
    var responseVersion = HTTPVersion.http1_1
    var record: DecisionRecord?
    var started = NIODeadline.now()
    var keepAlive = true
    var expectsContinue = false
    var requestEnded = false
    var responseStatus: HTTPResponseStatus?
    var responseStarted: NIODeadline?
    /// The response's body goes to the client in chunks.
    var isChunkedResponse = false
    /// A response head not written yet: it waits for the body's first bytes so a small response leaves in one write.
    var pendingHead: ByteBuffer?
    var isReported = false
    var drainedBytes = 0

    // The current exchange's upstream side (reverse proxy).
    var upstream: UpstreamConnection?
    var upstreamHead: UpstreamRequestHead?
    var hook: (any UpstreamResponseHook)?
    /// Response parts held back while the hook runs; non-nil exactly then.
    var heldResponse: CircularBuffer<UpstreamResponsePart>?
    var wantsWebSocket = false
    var upstreamAnswered = false
    var upstreamReusable = false
    var sentRequestBody = false
    var retried = false
    var isSwitchingProtocols = false
    var headDeadline: NIODeadline?
    var headTimer: Scheduled<Void>?
    var upstreamNeedsFlush = false
    var clientNeedsFlush = false

    init(settings: FrontSettings, pool: UpstreamPool?) {
        self.settings = settings
        self.pool = pool
        parser = ClientRequestParser(maxHeadSize: settings.maxRequestHeadSize)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        peer = settings.requestBuilder.trustedProxies.peer(context.channel.remoteAddress)
        if context.channel.isActive { startIdleTimer() }
    }

    func channelActive(context: ChannelHandlerContext) {
        if idleTimer == nil { startIdleTimer() }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        if parser.state == .tunnel, let bytes = received, bytes.readableBytes > 0 {
            received = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.append(read: &bytes)
        parseReceived()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushUpstreamIfNeeded()
    }

    func read(context: ChannelHandlerContext) {
        if isReadAllowed {
            context.read()
        } else {
            hasPendingRead = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        upstream?.setReading(context.channel.isWritable && heldResponse == nil)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        cancelTimers()
        upstream?.close()
        upstream = nil
        heldResponse = nil
        report(status: responseStatus ?? FrontResponses.clientClosedRequest)
        inbound.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        isQuiescing = true
        if phase == .idle && inbound.isEmpty {
            phase = .closed
            context.close(promise: nil)
        } else {
            // Finish the request in hand, then close.
            keepAlive = false
        }
    }

    // MARK: Inbound parts

    /// Turns the bytes received into request parts and handles each now or queues it.
    private func parseReceived() {
        if parser.state == .failed {
            received = nil
            return
        }
        while phase != .closed, received != nil {
            let inHead = parser.state == .head
            let part: ClientRequestPart?
            do {
                part = try parser.next(&received!)
            } catch {
                received = nil
                requestUnreadable(error, inHead: inHead)
                return
            }
            guard let part else { break }
            if !(inbound.isEmpty && consume(part)) { inbound.append(part) }
        }
        guard let bytes = received else { return }
        if bytes.readableBytes == 0 {
            // Let the read buffer go: body parts may still share it, and an idle connection should hold nothing.
            received = nil
        } else if parser.state == .tunnel && bytes.readableBytes > settings.maxRequestHeadSize {
            // A tunnel's client should wait for the 101 before it sends; this one does not.
            abort()
        }
    }

    /// A request that cannot be read: one still to come is answered in its turn, a broken body ends the connection
    /// (the response may already be on its way).
    private func requestUnreadable(_ error: HTTPMessageError, inHead: Bool) {
        guard inHead else {
            abort()
            return
        }
        malformed = error
        answerMalformedIfIdle()
    }

    private func answerMalformedIfIdle() {
        guard let error = malformed, phase == .idle, inbound.isEmpty else { return }
        malformed = nil
        keepAlive = false
        responseVersion = .http1_1
        head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        writeLocalResponse(FrontResponses.malformed(error))
    }

    /// Handles one part now, or returns false when it has to wait its turn.
    private func consume(_ part: ClientRequestPart) -> Bool {
        switch part {
        case .head(let head):
            guard phase == .idle else { return false }
            begin(head)
        case .body(let buffer):
            switch phase {
            case .deciding, .connecting:
                return false
            case .forwarding:
                upstream?.writeBody(buffer)
                sentRequestBody = true
                upstreamNeedsFlush = true
            case .draining:
                drain(buffer.readableBytes)
            case .idle, .closed:
                break
            }
        case .end(let trailers):
            switch phase {
            case .deciding, .connecting:
                return false
            case .forwarding:
                requestEnded = true
                upstream?.writeEnd(trailers)
                upstreamNeedsFlush = true
                if !upstreamAnswered { startHeadTimer() }
            case .draining:
                requestEnded = true
                finishExchange()
            case .idle, .closed:
                break
            }
        }
        return true
    }

    /// Works through waiting parts after the state changed, then lets reading resume if it may.
    func processInbound() {
        if !isProcessingInbound {
            isProcessingInbound = true
            while !inbound.isEmpty {
                let part = inbound.removeFirst()
                if !consume(part) {
                    inbound.prepend(part)
                    break
                }
            }
            isProcessingInbound = false
        }
        answerMalformedIfIdle()
        flushUpstreamIfNeeded()
        resumeReadingIfAllowed()
    }

    private var isReadAllowed: Bool {
        guard inbound.isEmpty else { return false }
        switch phase {
        case .idle, .draining: return true
        case .deciding, .connecting, .closed: return false
        // After the request, reading on notices a client that leaves (and queues a pipelined request).
        case .forwarding: return requestEnded || (upstream?.isWritable ?? false)
        }
    }

    func resumeReadingIfAllowed() {
        if hasPendingRead && isReadAllowed {
            hasPendingRead = false
            context.read()
        }
    }

    func flushUpstreamIfNeeded() {
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            upstream?.flush()
        }
    }

    private func drain(_ count: Int) {
        drainedBytes += count
        if drainedBytes > Self.maxDrainedBytes {
            phase = .closed
            context.close(promise: nil)
        }
    }

    // MARK: Exchange

    private func begin(_ clientHead: ClientRequestHead) {
        exchangeID &+= 1
        started = .now()
        let head = clientHead.head
        self.head = head
        self.clientHead = clientHead
        responseVersion = head.version.minor == 0 && head.version.major == 1 ? .http1_0 : .http1_1
        keepAlive = clientHead.isKeepAlive && !isQuiescing
        requestEnded = false
        responseStatus = nil
        responseStarted = nil
        isReported = false
        drainedBytes = 0
        record = nil
        expectsContinue = responseVersion == .http1_1 && clientHead.expectsContinue
        let request: EdgeRequest
        if pool != nil {
            request = settings.requestBuilder.reverseProxy(head, peer: peer)
            wantsWebSocket = clientHead.opensTunnel && head.headers.isWebSocketUpgrade
        } else {
            request = settings.requestBuilder.forwardAuth(head, peer: peer)
            wantsWebSocket = false
        }
        self.request = request
        phase = .deciding
        if clientHead.opensTunnel { keepAlive = false }
        if pool != nil && head.method == .CONNECT {
            apply(.respond(FrontResponses.methodNotAllowed, FrontResponses.unsupportedMethod))
            return
        }

        switch settings.decider.decide(request, on: context.eventLoop) {
        case .now(let verdict):
            apply(verdict)
        case .later(let future):
            let id = exchangeID
            future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                guard self.exchangeID == id, self.phase == .deciding else { return }
                switch result {
                case .success(let verdict):
                    self.apply(verdict)
                case .failure:
                    self.apply(.respond(FrontResponses.internalError, FrontResponses.deciderFailed))
                }
                self.processInbound()
            }
        }
    }

    private func apply(_ verdict: EdgeVerdict) {
        switch verdict {
        case .respond(let response, let record):
            self.record = record
            respond(response)
        case .forward(let plan):
            self.record = plan.record
            if let pool {
                forward(plan, pool: pool)
            } else {
                authorize(plan)
            }
        }
    }

    /// Answers the current request here, whatever stage it is in.
    func respond(_ response: EdgeResponse) {
        // The client waits for a 100 that will not come, or may still send the body: either way it cannot be reused.
        if expectsContinue && !requestEnded { keepAlive = false }
        writeLocalResponse(response)
    }

    private func writeLocalResponse(_ response: EdgeResponse) {
        var headers = response.headers
        let hasBody = response.status.mayHaveResponseBody
        if hasBody {
            headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
        } else {
            headers.remove(name: "content-length")
        }
        headers.remove(name: "transfer-encoding")
        headers.remove(name: "connection")
        writeResponseHead(status: response.status, chunked: false) { $0.writeHTTPFields(headers) }
        if hasBody && head.method != .HEAD && response.body.readableBytes > 0 {
            writeBody(response.body)
        }
        completeResponse(trailers: nil)
    }

    /// Ends the response and reports the exchange; the connection moves on once the request has been read too.
    func completeResponse(trailers: HTTPHeaders?) {
        report(status: responseStatus ?? .internalServerError)
        writePendingHead()
        clientNeedsFlush = false
        // Only a chunked body has an end to write; nothing is allocated for the others.
        var end: ByteBuffer?
        if isChunkedResponse {
            end = context.channel.allocator.buffer(capacity: 64)
            end!.writeLastChunk(trailers: trailers)
        }
        if keepAlive {
            if let end { context.write(wrapOutboundOut(end), promise: nil) }
            context.flush()
            if requestEnded {
                finishExchange()
            } else {
                phase = .draining
            }
        } else {
            phase = .closed
            let context = self.context!
            // Written even when empty: its promise completes once everything before it is out.
            let last = end ?? context.channel.allocator.buffer(capacity: 0)
            context.writeAndFlush(wrapOutboundOut(last)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    func finishExchange() {
        request = nil
        clientHead = nil
        record = nil
        hook = nil
        upstreamHead = nil
        guard keepAlive else {
            phase = .closed
            context.close(promise: nil)
            return
        }
        phase = .idle
        idleSince = .now()
        processInbound()
    }

    /// Tells the decider how the exchange ended; once per request.
    func report(status: HTTPResponseStatus) {
        guard !isReported, let request else { return }
        isReported = true
        let elapsed = (responseStarted ?? .now()) - started
        settings.decider.completed(
            request, record: record ?? FrontResponses.abandoned, status: status,
            seconds: Double(elapsed.nanoseconds) / 1_000_000_000)
    }

    /// Aborts an exchange whose response cannot be completed.
    func abort() {
        report(status: responseStatus ?? FrontResponses.clientClosedRequest)
        phase = .closed
        context.close(promise: nil)
    }

    // MARK: Timers

    // One lazily re-armed timer per connection rather than one per request: when it fires it checks how long the
    // connection has really been idle and sleeps again for the rest.
    private func startIdleTimer() {
        scheduleIdleTimer(at: .now() + settings.idleTimeout)
    }

    private func scheduleIdleTimer(at deadline: NIODeadline) {
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.idleTimerFired() }
    }

    private func idleTimerFired() {
        idleTimer = nil
        switch phase {
        case .closed:
            return
        case .idle where inbound.isEmpty:
            let due = idleSince + settings.idleTimeout
            if due <= .now() {
                phase = .closed
                context.close(promise: nil)
            } else {
                scheduleIdleTimer(at: due)
            }
        default:
            startIdleTimer()
        }
    }

    /// Starts the wait for the upstream's response head, once the request has been sent in full.
    func startHeadTimer() {
        let deadline = NIODeadline.now() + settings.responseHeadTimeout
        headDeadline = deadline
        if headTimer == nil { scheduleHeadTimer(at: deadline) }
    }

    private func scheduleHeadTimer(at deadline: NIODeadline) {
        headTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.headTimerFired() }
    }

    private func headTimerFired() {
        headTimer = nil
        guard let deadline = headDeadline, phase == .forwarding, !upstreamAnswered else { return }
        if deadline <= .now() {
            upstreamTimedOut()
        } else {
            scheduleHeadTimer(at: deadline)
        }
    }

    private func cancelTimers() {
        idleTimer?.cancel()
        idleTimer = nil
        headTimer?.cancel()
        headTimer = nil
    }
}
