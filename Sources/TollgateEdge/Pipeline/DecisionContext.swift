import Foundation
import NIOCore
import TollgateCore

/// What the stages know about a request so far; each stage reads it and may add to it.
public struct DecisionContext: Sendable {
    public let request: EdgeRequest
    public let state: EdgeState
    public let now: Date
    /// The connection's event loop, for stages that must wait (`PendingVerdict.later`).
    public let eventLoop: any EventLoop
    public var site: CompiledSite?
    public var identity: CrawlerIdentity?

    public init(request: EdgeRequest, state: EdgeState, now: Date, eventLoop: any EventLoop) {
        self.request = request
        self.state = state
        self.now = now
        self.eventLoop = eventLoop
    }

    /// Parsed on demand: most requests never need it.
    public var clientAddress: IPAddress? { request.clientAddress.flatMap { IPAddress($0) } }

    public func record(_ action: DecisionAction, _ reason: String, price: Money? = nil) -> DecisionRecord {
        DecisionRecord(
            action: action.rawValue, reason: reason, siteID: site?.id, crawler: identity?.name,
            price: price.flatMap { try? PriceString.format($0) })
    }
}

/// The actions a decision can end in; `DecisionRecord.action` carries the raw value.
public enum DecisionAction: String, Sendable {
    case pass
    case charge
    case paymentRequired = "payment_required"
    case block
    case reject
    case error
}
