import Foundation

public struct AuditActor: Sendable, Equatable {
    public let type: String
    public let id: String
    public let label: String

    public static let system = AuditActor(type: "system", id: "", label: "tollgate")
    public static func anonymous(_ label: String) -> AuditActor { AuditActor(type: "anonymous", id: "", label: label) }
}

/// What happened, before it is sequenced and chained.
public struct AuditRecord: Sendable {
    public let action: String
    public let actor: AuditActor
    public let clientAddress: String
    public let targetType: String
    public let targetID: String
    public let details: [String: String]

    public init(
        action: String, actor: AuditActor, clientAddress: String, targetType: String, targetID: String,
        details: [String: String] = [:]
    ) {
        self.action = action
        self.actor = actor
        self.clientAddress = clientAddress
        self.targetType = targetType
        self.targetID = targetID
        self.details = details
    }
}

/// A stored audit event as the API shows it.
public struct AuditEvent: Codable, Sendable, Equatable {
    public let id: UUID
    public let tenantID: UUID
    public let seq: Int64
    /// Microseconds since the epoch: exact in PostgreSQL and in the hash, unlike a floating-point Date.
    public let occurredAtMicros: Int64
    public let actorType: String
    public let actorID: String
    public let actorLabel: String
    public let clientAddress: String
    public let action: String
    public let targetType: String
    public let targetID: String
    public let details: [String: String]
    public let prevHash: [UInt8]
    public let hash: [UInt8]

    public var occurredAt: Date { Date(timeIntervalSince1970: Double(occurredAtMicros) / 1_000_000) }
}
