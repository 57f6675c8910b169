import Foundation
import Hummingbird
import NIOCore
import TollgateCore

/// `/v1/audit-events`: pages, an NDJSON export of the whole chain, and chain verification.
struct AuditController {
    let audit: any AuditRepository

    struct EventResponse: Encodable {
        let id: UUID
        let seq: Int64
        let occurredAt: Date
        let actor: Actor
        let clientAddress: String
        let action: String
        let target: Target
        let details: [String: String]
        let prevHash: String
        let hash: String

        struct Actor: Encodable {
            let type: String
            let id: String
            let label: String
        }

        struct Target: Encodable {
            let type: String
            let id: String
        }

        init(_ event: AuditEvent) {
            id = event.id
            seq = event.seq
            occurredAt = event.occurredAt
            actor = Actor(type: event.actorType, id: event.actorID, label: event.actorLabel)
            clientAddress = event.clientAddress
            action = event.action
            target = Target(type: event.targetType, id: event.targetID)
            details = event.details
            prevHash = Hex.encode(event.prevHash)
            hash = Hex.encode(event.hash)
        }
    }

    struct VerifyResponse: Encodable {
        let intact: Bool
        let events: Int?
        let brokenAtSeq: Int64?
        let reason: String?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("audit-events", use: list)
        group.get("audit-events/export", use: export)
        group.get("audit-events/verify", use: verify)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.auditRead)
        let page = try PageRequest(request)
        let events = try await audit.events(tenantID: principal.tenant.id, beforeSeq: try page.cursorSeq(), limit: page.limit)
        let next = events.count == page.limit && (events.last?.seq ?? 0) > 1 ? events.last.map { String($0.seq) } : nil
        return try .json(Page(items: events.map(EventResponse.init), nextCursor: next))
    }

    func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.auditRead)
        let audit = self.audit
        let tenantID = principal.tenant.id
        let body = ResponseBody { writer in
            try await audit.forEachEvent(tenantID: tenantID) { event in
                var line = try Response.jsonEncoder.encode(EventResponse(event))
                line.append(UInt8(ascii: "\n"))
                try await writer.write(ByteBuffer(bytes: line))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/x-ndjson",
                .contentDisposition: "attachment; filename=\"audit-\(tenantID.uuidString.lowercased()).ndjson\"",
            ], body: body)
    }

    func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.auditRead)
        switch try await audit.verify(tenantID: principal.tenant.id) {
        case .intact(let events):
            return try .json(VerifyResponse(intact: true, events: events, brokenAtSeq: nil, reason: nil))
        case .broken(let seq, let reason):
            return try .json(VerifyResponse(intact: false, events: nil, brokenAtSeq: seq, reason: reason))
        }
    }
}
