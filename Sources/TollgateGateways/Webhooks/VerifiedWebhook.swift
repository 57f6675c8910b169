import Foundation

/// The outcome of a successful verification: the events the delivery carries, each with the vendor's
/// de-duplication key. Only Adyen batches several events into one delivery; the others carry exactly one.
public struct VerifiedWebhook: Sendable, Hashable {
    public struct Event: Sendable, Hashable {
        /// The vendor's event identity, used as the de-duplication key (unique per vendor and account).
        public let eventID: String
        public let eventType: String
        public let occurredAt: Date?

        public init(eventID: String, eventType: String, occurredAt: Date?) {
            self.eventID = eventID
            self.eventType = eventType
            self.occurredAt = occurredAt
        }
    }

    /// Never empty.
    public let events: [Event]

    init(events: [Event]) {
        precondition(!events.isEmpty, "a verified webhook carries at least one event")
        self.events = events
    }

    init(eventID: String, eventType: String, occurredAt: Date?) {
        self.init(events: [Event(eventID: eventID, eventType: eventType, occurredAt: occurredAt)])
    }

    public var eventID: String { events[0].eventID }
    public var eventType: String { events[0].eventType }
    public var occurredAt: Date? { events[0].occurredAt }
}
