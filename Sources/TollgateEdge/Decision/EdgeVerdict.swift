import NIOCore
import NIOHTTP1

/// What the pipeline decided for one request.
public enum EdgeVerdict: Sendable {
    /// Send the request upstream (in forward-auth mode: allow it), with these changes.
    case forward(ForwardPlan)
    /// Answer it here; the upstream never sees it.
    case respond(EdgeResponse, DecisionRecord)
}

/// How to forward an allowed request, and what to do when the upstream answers.
public struct ForwardPlan: Sendable {
    /// Header fields to set on the upstream request (replacing any the client sent under the same name).
    public var requestHeaders: [(name: String, value: String)]
    /// Header fields to remove from the upstream request (e.g. our own crawl token, client-sent `X-Tollgate-*`).
    public var removedRequestHeaders: [String]
    /// Called with the upstream's response head before it goes to the client; nil when nothing depends on it.
    public var onResponse: (any UpstreamResponseHook)?
    public var record: DecisionRecord

    public init(
        requestHeaders: [(name: String, value: String)] = [], removedRequestHeaders: [String] = [],
        onResponse: (any UpstreamResponseHook)? = nil, record: DecisionRecord
    ) {
        self.requestHeaders = requestHeaders
        self.removedRequestHeaders = removedRequestHeaders
        self.onResponse = onResponse
        self.record = record
    }
}

/// Runs when the upstream's response head arrives, before any of it is written to the client: pay-per-crawl charges
/// a 2xx answer here (spooled durably, then `crawler-charged` added), reads or strips an origin's `crawler-price`,
/// and may answer something else instead.
public protocol UpstreamResponseHook: Sendable {
    /// True when an answer with this status that carries neither `crawler-price` nor `crawler-charged` goes to the
    /// client unchanged and at once; the front end then relays its head as bytes, without building `HTTPHeaders`.
    func passesUnchanged(status: HTTPResponseStatus) -> Bool

    /// The head to send to the client when it needs no waiting (the common case: nothing to charge), or nil to
    /// have the front end call `upstreamResponded(_:on:)`. Saves a future per request on the hot path.
    func immediateHead(for head: HTTPResponseHead) -> HTTPResponseHead?

    /// Says what the client gets; the front end writes nothing until the future completes. A failed future makes the
    /// front end answer 500 (`crawler-error: InternalError`) instead.
    func upstreamResponded(_ head: HTTPResponseHead, on eventLoop: any EventLoop) -> EventLoopFuture<HookDecision>
}

/// What a response hook made of the upstream's answer.
public enum HookDecision: Sendable {
    /// Send this head and then the upstream's body; `record` replaces the decision's record when the answer changed
    /// it (an in-band price).
    case send(HTTPResponseHead, record: DecisionRecord? = nil)
    /// Answer this instead and drop the upstream's body (an in-band price the crawler has not offered to pay).
    case replace(EdgeResponse, record: DecisionRecord)
}

extension UpstreamResponseHook {
    public func passesUnchanged(status: HTTPResponseStatus) -> Bool { false }
    public func immediateHead(for head: HTTPResponseHead) -> HTTPResponseHead? { nil }
}

/// A decision either known at once (nearly always) or after asynchronous work (e.g. fetching an allowance).
public enum PendingVerdict: Sendable {
    case now(EdgeVerdict)
    case later(EventLoopFuture<EdgeVerdict>)
}
