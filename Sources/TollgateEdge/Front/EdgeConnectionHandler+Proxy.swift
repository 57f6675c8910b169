import NIOCore
import NIOHTTP1

// Reverse proxy: the upstream half of an exchange.
extension EdgeConnectionHandler {
    func forward(_ plan: ForwardPlan, pool: UpstreamPool) {
        hook = plan.onResponse
        heldResponse = nil
        upstreamAnswered = false
        upstreamReusable = false
        sentRequestBody = false
        retried = false
        isSwitchingProtocols = false
        headDeadline = nil
        upstreamHead = UpstreamRequestHead(
            clientHead!, request: request!, peer: peer, plan: plan, keepingUpgrade: wantsWebSocket,
            removingExpect: expectsContinue, hostField: pool.hostField, allocator: context.channel.allocator)
        if expectsContinue && !requestEnded {
            // Answered here rather than relayed, so the body starts flowing while the upstream connection is made.
            writeContinue()
        }
        if !wantsWebSocket, let connection = pool.takeIdle() {
            attach(connection)
        } else {
            connect(pool)
        }
    }

    private func connect(_ pool: UpstreamPool) {
        phase = .connecting
        let id = exchangeID
        pool.connect { result in
            guard self.exchangeID == id, self.phase == .connecting else {
                // The exchange ended meanwhile; a fresh connection is still worth keeping.
                if case .success(let connection) = result { pool.release(connection) }
                return
            }
            switch result {
            case .success(let connection):
                self.attach(connection)
            case .failure:
                self.respond(FrontResponses.badGateway)
            }
            self.processInbound()
        }
    }

    private func attach(_ connection: UpstreamConnection) {
        upstream = connection
        connection.exchange = self
        phase = .forwarding
        connection.writeHead(upstreamHead!)
        if requestEnded {
            // A retry: the request had no body and has been read already.
            connection.writeEnd(nil)
            startHeadTimer()
        }
        upstreamNeedsFlush = true
        connection.setReading(context.channel.isWritable)
    }

    private func detachUpstream() -> UpstreamConnection? {
        guard let connection = upstream else { return nil }
        upstream = nil
        connection.exchange = nil
        return connection
    }

    // MARK: Called by UpstreamConnection

    func upstreamRead(_ part: UpstreamResponsePart) {
        if heldResponse != nil {
            heldResponse!.append(part)
            return
        }
        switch part {
        case .head(let head):
            upstreamResponded(head)
        case .body(let buffer):
            writeBody(buffer)
            clientNeedsFlush = true
        case .end(let trailers):
            upstreamFinished(trailers: trailers)
        }
    }

    func upstreamReadComplete() {
        if clientNeedsFlush && phase != .closed {
            clientNeedsFlush = false
            writePendingHead()
            context.flush()
        }
    }

    func upstreamWritabilityChanged() {
        resumeReadingIfAllowed()
    }

    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?) {
        guard connection === upstream else { return }
        upstream = nil
        if !upstreamAnswered {
            // A pooled connection the upstream closed just as it was reused: a request without a body is safe to send
            // again on a fresh one, as nginx does.
            if connection.isReused && requestEnded && !sentRequestBody && !retried, let pool {
                retried = true
                connect(pool)
                return
            }
            respond(FrontResponses.badGateway)
            processInbound()
        } else if heldResponse != nil {
            // The hook still runs; a response that ended before the close is complete, anything else is not.
            if case .end = heldResponse?.last { return }
            heldResponse = nil
            respond(FrontResponses.badGateway)
            processInbound()
        } else {
            // Reset mid-body: the client must not take a truncated body for a whole one.
            abort()
        }
    }

    // MARK: Response

    private func upstreamResponded(_ upstreamHead: UpstreamResponseHead) {
        upstreamAnswered = true
        headDeadline = nil
        upstreamReusable = upstreamHead.isKeepAlive && !wantsWebSocket
        if upstreamHead.status == .switchingProtocols && !wantsWebSocket {
            upstream?.close()
            upstream = nil
            respond(FrontResponses.badGateway)
            return
        }
        guard let hook, upstreamHead.hasPayPerCrawlFields || !hook.passesUnchanged(status: upstreamHead.status) else {
            relayResponseHead(upstreamHead)
            return
        }
        let head = upstreamHead.httpHead
        if let immediate = hook.immediateHead(for: head) {
            sendResponseHead(immediate)
            return
        }
        // Nothing reaches the client until the hook has seen the head (it may charge, or fail).
        heldResponse = CircularBuffer()
        upstream?.setReading(false)
        let id = exchangeID
        hook.upstreamResponded(head, on: context.eventLoop).hop(to: context.eventLoop).assumeIsolated().whenComplete {
            result in
            guard self.exchangeID == id, let held = self.heldResponse else { return }
            self.heldResponse = nil
            switch result {
            case .success(.send(let head, let record)):
                if let record { self.record = record }
                self.sendResponseHead(head)
                for part in held { self.upstreamRead(part) }
                self.upstreamReadComplete()
                // Unless the held parts finished the exchange, the rest of the body may flow now.
                guard self.exchangeID == id else { return }
                self.upstream?.setReading(self.context.channel.isWritable)
            case .success(.replace(let response, let record)):
                // The upstream's body is not wanted; closing is cheaper than reading it to reuse the connection.
                self.record = record
                self.detachUpstream()?.close()
                self.respond(response)
                self.processInbound()
            case .failure:
                self.detachUpstream()?.close()
                self.respond(FrontResponses.internalError)
                self.processInbound()
            }
        }
    }

    /// The upstream's head as it came, less its hop-by-hop lines: the path of nearly every response.
    private func relayResponseHead(_ upstreamHead: UpstreamResponseHead) {
        guard upstreamHead.status != .switchingProtocols, let fields = upstreamHead.relayedFields else {
            sendResponseHead(upstreamHead.httpHead)
            return
        }
        let chunked = chunksBody(status: upstreamHead.status, hasContentLength: upstreamHead.hasContentLength)
        writeResponseHead(status: upstreamHead.status, reason: upstreamHead.reason, chunked: chunked) {
            $0.writeImmutableBuffer(fields)
        }
        clientNeedsFlush = true
    }

    private func sendResponseHead(_ upstreamHead: HTTPResponseHead) {
        var headers = upstreamHead.headers
        if upstreamHead.status == .switchingProtocols {
            headers.removeHopByHopFields(keepingUpgrade: true)
            headers.add(name: "connection", value: "upgrade")
            isSwitchingProtocols = true
            writeSwitchingProtocols(headers)
            return
        }
        headers.removeHopByHopFields()
        let hasContentLength = headers.contains(name: "content-length")
        let chunked = chunksBody(status: upstreamHead.status, hasContentLength: hasContentLength)
        writeResponseHead(status: upstreamHead.status, chunked: chunked) { $0.writeHTTPFields(headers) }
        clientNeedsFlush = true
    }

    /// Whether the client gets the body in chunks: a body without a length does, unless the client speaks HTTP/1.0,
    /// which learns where the body ends from the connection closing.
    private func chunksBody(status: HTTPResponseStatus, hasContentLength: Bool) -> Bool {
        guard status.mayHaveResponseBody && head.method != .HEAD && !hasContentLength else { return false }
        if responseVersion == .http1_1 { return true }
        keepAlive = false
        return false
    }

    private func upstreamFinished(trailers: HTTPHeaders?) {
        if isSwitchingProtocols {
            switchToTunnel()
            return
        }
        if let connection = detachUpstream() {
            // A response that came before the whole request leaves the upstream mid-request: not reusable.
            if upstreamReusable && requestEnded {
                connection.pool.release(connection)
            } else {
                connection.close()
            }
        }
        completeResponse(trailers: trailers)
    }

    func upstreamTimedOut() {
        detachUpstream()?.close()
        respond(FrontResponses.gatewayTimeout)
        processInbound()
    }
}
