import Foundation
import Hummingbird
import TollgateCore
import TollgateGateways

/// `/v1/crawler/…` money routes: gateways on offer, payment methods, top-ups, automatic top-up and refunds.
struct CrawlerPaymentsController {
    let service: CrawlerOperatorService
    let repository: any PaymentRepository
    let methods: PaymentMethodService
    let topUps: TopUpService
    let refunds: RefundService

    struct AttachBody: JSONRequestBody {
        let gateway: String
        let token: String
        enum CodingKeys: String, CodingKey, CaseIterable { case gateway, token }
    }

    struct TopUpBody: JSONRequestBody {
        let paymentMethodID: UUID
        let amount: Money
        enum CodingKeys: String, CodingKey, CaseIterable { case paymentMethodID = "payment_method_id", amount }
    }

    struct AutoTopUpBody: JSONRequestBody {
        let paymentMethodID: UUID
        let threshold: Money
        let amount: Money
        let enabled: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case paymentMethodID = "payment_method_id", threshold, amount, enabled }
    }

    struct RefundBody: JSONRequestBody {
        let amount: Money
        let topUpID: UUID?
        let reason: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case amount, topUpID = "top_up_id", reason }
    }

    struct OfferedGateway: Encodable {
        let name: String
        let kind: String
        let minimumTopUpMicros: Int64
        enum CodingKeys: String, CodingKey { case name, kind, minimumTopUpMicros = "minimum_top_up_micros" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("crawler/gateways", use: offeredGateways)
        group.get("crawler/payment-methods", use: listMethods)
        group.post("crawler/payment-methods", use: attach)
        group.get("crawler/payment-methods/{id}", use: showMethod)
        group.delete("crawler/payment-methods/{id}", use: removeMethod)
        group.get("crawler/accounts/{id}/top-ups", use: listTopUps)
        group.post("crawler/accounts/{id}/top-ups", use: createTopUp)
        group.get("crawler/accounts/{id}/top-ups/{top_up_id}", use: showTopUp)
        group.get("crawler/accounts/{id}/auto-top-up", use: showAutoTopUp)
        group.put("crawler/accounts/{id}/auto-top-up", use: setAutoTopUp)
        group.delete("crawler/accounts/{id}/auto-top-up", use: removeAutoTopUp)
        group.get("crawler/accounts/{id}/refunds", use: listRefunds)
        group.post("crawler/accounts/{id}/refunds", use: createRefund)
    }

    func offeredGateways(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await service.require(request)
        let offered = try await repository.gateways().filter(\.enabled).map {
            OfferedGateway(name: $0.name, kind: $0.kind.rawValue, minimumTopUpMicros: $0.minimumTopUpMicros)
        }
        return try .json(Page(items: offered, nextCursor: nil))
    }

    func listMethods(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, _) = try await service.require(request)
        return try .json(Page(items: try await repository.methods(operatorID: owner.id), nextCursor: nil))
    }

    func attach(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, _) = try await service.require(request)
        let body = try await request.decodeJSON(AttachBody.self, context: context)
        let token = try Validation.text(body.token, field: "token", required: true, max: 500)
        let method = try await payments {
            do {
                return try await methods.attach(operatorID: owner.id, email: owner.email, name: owner.name, gatewayName: body.gateway, token: token)
            } catch PaymentError.unknownGateway {
                throw Problem.invalid(field: "gateway", "is not an enabled gateway; GET /v1/crawler/gateways lists them")
            }
        }
        return try .json(method, status: .created)
    }

    func showMethod(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, _) = try await service.require(request)
        let method = try await ownMethod(owner.id, context)
        return try .json(try await payments { try await methods.refresh(method) })
    }

    func removeMethod(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, _) = try await service.require(request)
        let method = try await ownMethod(owner.id, context)
        try await repository.setMethodStatus(id: method.id, status: "removed")
        return .noContent()
    }

    func listTopUps(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        return try .json(Page(items: try await repository.topUps(crawlerAccountID: account.id, limit: 200).map(TopUpResponse.init), nextCursor: nil))
    }

    /// 201 when the money arrived, 202 while the gateway has not said (it is resolved in the background), 402 problem
    /// when declined (nothing charged, nothing credited).
    func createTopUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        let key = try Self.idempotencyKey(request)
        let body = try await request.decodeJSON(TopUpBody.self, context: context)
        guard body.amount.micros > 0 else { throw Problem.invalid(field: "amount.micros", "must be positive") }
        let topUp = try await payments {
            try await topUps.topUp(account: account, methodID: body.paymentMethodID, amount: body.amount, requestKey: key, source: .manual)
        }
        switch topUp.status {
        case .succeeded: return try .json(TopUpResponse(topUp), status: .created)
        case .pending: return try .json(TopUpResponse(topUp), status: .accepted)
        case .declined:
            throw GatewayError.declined(.init(code: topUp.failureCode, message: topUp.failureMessage ?? "declined")).problem
        case .failed:
            throw Problem(.badGateway, "top-up-failed", title: "The top-up failed",
                          detail: "\(topUp.failureMessage ?? "The gateway refused the payment."). Nothing was charged.")
        }
    }

    func showTopUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        let id = try context.parameters.require("top_up_id", as: UUID.self)
        guard let topUp = try await repository.topUp(id: id), topUp.crawlerAccountID == account.id else { throw Problem.notFound("Top-up \(id)") }
        return try .json(TopUpResponse(topUp))
    }

    func showAutoTopUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        guard let settings = try await repository.autoTopUp(crawlerAccountID: account.id) else {
            throw Problem.notFound("Automatic top-up of account \(account.id)")
        }
        return try .json(AutoTopUpResponse(settings))
    }

    func setAutoTopUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, account) = try await service.ownAccount(request, context)
        let body = try await request.decodeJSON(AutoTopUpBody.self, context: context)
        guard let method = try await repository.method(id: body.paymentMethodID, operatorID: owner.id) else {
            throw PaymentError.unknownPaymentMethod.problem
        }
        guard method.status == "active" else { throw PaymentError.paymentMethodUnusable(method.status).problem }
        for (field, money) in [("threshold", body.threshold), ("amount", body.amount)] where money.currency != account.currency {
            throw Problem.invalid(field: "\(field).currency", "must be the account's currency, \(account.currency.code)")
        }
        guard body.threshold.micros >= 0 else { throw Problem.invalid(field: "threshold.micros", "must not be negative") }
        guard let gateway = try await repository.gateway(id: method.gatewayID), body.amount.micros >= gateway.minimumTopUpMicros else {
            throw Problem.invalid(field: "amount.micros", "must be at least the gateway's smallest top-up")
        }
        guard body.amount.micros <= TopUpService.maximumTopUpMicros else { throw PaymentError.aboveMaximum(Money(micros: TopUpService.maximumTopUpMicros, currency: account.currency)).problem }
        let settings = AutoTopUpSettings(
            crawlerAccountID: account.id, paymentMethodID: method.id, threshold: body.threshold, amount: body.amount,
            enabled: body.enabled ?? true, lastFailure: nil)
        try await repository.setAutoTopUp(settings, crawlerAccountID: account.id)
        return try .json(AutoTopUpResponse(settings))
    }

    func removeAutoTopUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        try await repository.setAutoTopUp(nil, crawlerAccountID: account.id)
        return .noContent()
    }

    func listRefunds(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        return try .json(Page(items: try await repository.refunds(crawlerAccountID: account.id, limit: 200).map(RefundResponse.init), nextCursor: nil))
    }

    /// 201 when refunded, 202 while the gateway confirms it (Adyen confirms by webhook).
    func createRefund(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, account) = try await service.ownAccount(request, context)
        let key = try Self.idempotencyKey(request)
        let body = try await request.decodeJSON(RefundBody.self, context: context)
        guard body.amount.micros > 0 else { throw Problem.invalid(field: "amount.micros", "must be positive") }
        let reason = try Validation.text(body.reason ?? "requested by the crawler operator", field: "reason", required: true, max: 500)
        let refund = try await payments {
            try await refunds.refund(account: account, amount: body.amount, topUpID: body.topUpID, reason: reason, requestKey: key)
        }
        switch refund.status {
        case .succeeded: return try .json(RefundResponse(refund), status: .created)
        case .pending: return try .json(RefundResponse(refund), status: .accepted)
        case .failed:
            throw Problem(.badGateway, "refund-failed", title: "The refund failed",
                          detail: "\(refund.failureMessage ?? "The gateway refused the refund."). The amount is back in the balance.")
        }
    }

    private func ownMethod(_ operatorID: UUID, _ context: AppRequestContext) async throws -> PaymentMethodRecord {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let method = try await repository.method(id: id, operatorID: operatorID) else { throw Problem.notFound("Payment method \(id)") }
        return method
    }

    static func idempotencyKey(_ request: Request) throws -> String {
        guard let key = request.headers[.idempotencyKey], (1...200).contains(key.utf8.count) else {
            throw Problem.invalid(field: "Idempotency-Key", "send an Idempotency-Key header (1–200 bytes) so a retried request moves money once")
        }
        return key
    }

    /// Domain and vendor errors as problem documents.
    private func payments<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PaymentError {
            throw error.problem
        } catch let error as GatewayError {
            throw error.problem
        }
    }
}
