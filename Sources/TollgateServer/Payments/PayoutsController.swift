import Foundation
import Hummingbird
import TollgateCore

/// Payouts of tenant earnings: the platform operator records one per tenant, currency and period
/// (`POST /v1/operator/payouts`, a manual transfer made outside Tollgate); tenants read theirs at `GET /v1/payouts`.
struct PayoutsController {
    let auth: OperatorAuth
    let repository: any PaymentRepository
    let tenants: any TenantRepository

    struct CreateBody: JSONRequestBody {
        let tenantID: UUID
        let amount: Money
        let periodStart: String
        let periodEnd: String
        let reference: String
        let note: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case tenantID = "tenant_id", amount, periodStart = "period_start", periodEnd = "period_end", reference, note
        }
    }

    func addOperatorRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("operator/payouts", use: create)
        group.get("operator/tenants/{id}/payouts", use: listForOperator)
    }

    func addTenantRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("payouts", use: list)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (operatorAccount, _) = try await auth.require(request)
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        guard try await tenants.tenant(id: body.tenantID) != nil, body.tenantID != AuditLog.platformChain else {
            throw Problem.invalid(field: "tenant_id", "is not a tenant")
        }
        guard body.amount.micros > 0 else { throw Problem.invalid(field: "amount.micros", "must be positive") }
        let start = try Self.day(body.periodStart, field: "period_start")
        let end = try Self.day(body.periodEnd, field: "period_end")
        guard end > start else { throw Problem.invalid(field: "period_end", "must be after period_start") }
        let reference = try Validation.text(body.reference, field: "reference", required: true, max: 200)
        let note = try Validation.text(body.note ?? "", field: "note", required: false, max: 500)
        let audit = AuditRecord(
            action: "payout.recorded", actor: operatorAccount.auditActor, clientAddress: context.clientAddress, targetType: "tenant",
            targetID: body.tenantID.uuidString,
            details: ["amount_micros": String(body.amount.micros), "currency": body.amount.currency.code, "reference": reference,
                      "period": "\(body.periodStart)..\(body.periodEnd)"])
        do {
            let payout = try await repository.createPayout(
                tenantID: body.tenantID, amount: body.amount, periodStart: start, periodEnd: end, reference: reference, note: note,
                createdBy: operatorAccount.id, audit: audit)
            return try .json(PayoutResponse(payout), status: .created)
        } catch let error as PaymentError {
            throw error.problem
        }
    }

    func listForOperator(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await auth.require(request)
        let id = try context.parameters.require("id", as: UUID.self)
        guard try await tenants.tenant(id: id) != nil else { throw Problem.notFound("Tenant \(id)") }
        return try .json(Page(items: try await repository.payouts(tenantID: id).map(PayoutResponse.init), nextCursor: nil))
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.billingRead)
        return try .json(Page(items: try await repository.payouts(tenantID: principal.tenant.id).map(PayoutResponse.init), nextCursor: nil))
    }

    static func day(_ text: String, field: String) throws -> Date {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard text.utf8.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1970...9999).contains(year),
            let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month
        else { throw Problem.invalid(field: field, "must be a date like 2026-11-01 (1970–9999)") }
        return date
    }
}
