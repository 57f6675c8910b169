import NIOCore
import NIOHTTP1

/// The seam between the front ends (reverse proxy, forward-auth) and the decision pipeline.
public protocol EdgeDecider: Sendable {
    /// Called on the connection's event loop for every request head; must not block.
    func decide(_ request: EdgeRequest, on eventLoop: any EventLoop) -> PendingVerdict
    /// Called once per request when its response has been fully written (or the exchange failed), for access logs
    /// and metrics. `status` is what the client got; `seconds` runs from the request head to the response head.
    func completed(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double)
}
