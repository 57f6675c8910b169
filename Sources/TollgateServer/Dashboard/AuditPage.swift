import Foundation
import Hummingbird
import TollgateCore

/// `/app/audit`: the tenant's audit events newest first, older pages, the NDJSON export and a chain check.
struct AuditPage {
    let audit: any AuditRepository
    let pages: PageRenderer

    static let pageSize = 50

    struct Row {
        let seq: Int64
        let time: String
        let action: String
        let actor: String
        let target: String
        let address: String
        let details: String
    }

    struct Verification {
        let intact: Bool
        let message: String
    }

    struct View {
        let events: [Row]
        let olderHref: String?
        let verification: Verification?
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/audit", use: show)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.auditRead)
        let query = request.uri.queryParameters
        let before = try query["before"].map { raw in
            guard let seq = Int64(String(raw)), seq > 0 else { throw Problem.invalid(field: "before", "must be an event number") }
            return seq
        }
        let events = try await audit.events(tenantID: principal.tenant.id, beforeSeq: before, limit: Self.pageSize)
        var verification: Verification?
        if query["verify"] != nil {
            verification =
                switch try await audit.verify(tenantID: principal.tenant.id) {
                case .intact(let count): Verification(intact: true, message: "The chain is intact: all \(count) events verify.")
                case .broken(let seq, let reason): Verification(intact: false, message: "The chain is broken at event \(seq): \(reason).")
                }
        }
        let rows = events.map { event in
            Row(
                seq: event.seq, time: DisplayDate.format(event.occurredAt), action: event.action,
                actor: event.actorLabel.isEmpty ? event.actorType : "\(event.actorLabel) (\(event.actorType))",
                target: event.targetID.isEmpty ? event.targetType : "\(event.targetType) \(event.targetID)",
                address: event.clientAddress,
                details: event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        }
        let older = events.count == Self.pageSize && (events.last?.seq ?? 0) > 1 ? events.last.map { "/app/audit?before=\($0.seq)" } : nil
        let view = View(events: rows, olderHref: older, verification: verification)
        return pages.render("audit", PageView(title: "Audit log", principal: principal, current: "/app/audit", page: view))
    }
}
