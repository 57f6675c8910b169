import Foundation
import Logging
import TollgateCore
import TollgateGateways

/// Funds a crawler balance through a gateway. The top-up row (with the vendor idempotency key) is written before
/// the vendor is called; the ledger is credited in the same transaction that records the vendor's success; an
/// unanswered call stays pending and is re-sent with the same key (by `PaymentsWorker`) until the vendor answers.
public struct TopUpService: Sendable {
    let repository: any PaymentRepository
    let gateways: GatewayDirectory
    let operators: any CrawlerOperatorRepository
    let metrics: PaymentMetrics
    let logger: Logger
    /// Immediate re-sends of a call that failed transiently, before leaving it to the worker.
    var retryDelays: [Duration] = [.milliseconds(200), .milliseconds(800)]
    /// The longest Retry-After we wait for within a request.
    var maxInlineWait: Duration = .seconds(2)

    public static let maximumTopUpMicros: Int64 = 1_000_000 * 1_000_000

    public func topUp(account: CrawlerAccount, methodID: UUID, amount: Money, requestKey: String, source: TopUp.Source) async throws -> TopUp {
        let started = ContinuousClock.now
        let topUp = try await start(account: account, methodID: methodID, amount: amount, requestKey: requestKey, source: source)
        metrics.topUp(topUp.status, ContinuousClock.now - started)
        return topUp
    }

    private func start(account: CrawlerAccount, methodID: UUID, amount: Money, requestKey: String, source: TopUp.Source) async throws -> TopUp {
        guard let method = try await repository.method(id: methodID, operatorID: account.operatorID) else { throw PaymentError.unknownPaymentMethod }
        guard method.status == "active" else { throw PaymentError.paymentMethodUnusable(method.status) }
        guard let config = try await repository.gateway(id: method.gatewayID), config.enabled else {
            throw PaymentError.paymentMethodUnusable("on a disabled gateway")
        }
        guard amount.currency == account.currency else { throw PaymentError.currencyMismatch(account.currency) }
        guard amount.micros >= config.minimumTopUpMicros else {
            throw PaymentError.belowMinimum(Money(micros: config.minimumTopUpMicros, currency: amount.currency))
        }
        guard amount.micros <= Self.maximumTopUpMicros else { throw PaymentError.aboveMaximum(Money(micros: Self.maximumTopUpMicros, currency: amount.currency)) }
        let (topUp, _) = try await repository.createTopUp(
            NewTopUp(crawlerAccountID: account.id, paymentMethodID: method.id, gatewayID: config.id, requestKey: requestKey, source: source, amount: amount))
        guard topUp.status == .pending else { return topUp }
        return try await attempt(topUp, operatorID: account.operatorID, method: method, config: config)
    }

    /// One more try at a pending top-up (the worker's entry point).
    public func retry(_ topUp: TopUp) async throws -> TopUp {
        guard topUp.status == .pending, let account = try await operators.account(id: topUp.crawlerAccountID),
            let method = try await repository.method(id: topUp.paymentMethodID, operatorID: account.operatorID),
            let config = try await repository.gateway(id: topUp.gatewayID)
        else { return topUp }
        let started = ContinuousClock.now
        let updated = try await attempt(topUp, operatorID: account.operatorID, method: method, config: config)
        metrics.topUp(updated.status, ContinuousClock.now - started)
        return updated
    }

    private func attempt(_ topUp: TopUp, operatorID: UUID, method: PaymentMethodRecord, config: PaymentGatewayConfig) async throws -> TopUp {
        let gateway = try await gateways.gateway(config)
        let resolution: TopUpResolution
        if let paymentID = topUp.vendorPaymentID {
            // The vendor knows the payment: ask, or wait for its webhook where it cannot be asked.
            guard gateway.capabilities.contains(.paymentStatusLookup) else {
                return try await repository.resolveTopUp(id: topUp.id, .retry(at: Self.backoff(topUp.attempts), why: "waiting for the gateway's webhook"))
            }
            resolution = await resolve(config.kind, "payment_status") { () async throws(GatewayError) in
                try await gateway.paymentStatus(PaymentRef(id: paymentID))
            }
        } else {
            guard let customer = try await repository.customer(operatorID: operatorID, gatewayID: config.id) else {
                return try await repository.resolveTopUp(id: topUp.id, .failed("the payment method has no customer at the gateway; attach it again"))
            }
            let request = ChargeRequest(
                customer: CustomerRef(id: customer), method: StoredMethodRef(id: method.vendorMethodID), amount: topUp.amount,
                description: "Tollgate balance top-up", reference: topUp.reference)
            let key = Self.chargeKey(topUp)
            resolution = await resolve(config.kind, "charge") { () async throws(GatewayError) in try await gateway.charge(request, key: key) }
        }
        let resolved: TopUpResolution
        if case .retry(_, let why) = resolution {
            resolved = .retry(at: Self.backoff(topUp.attempts), why: why)
        } else {
            resolved = resolution
        }
        let updated = try await repository.resolveTopUp(id: topUp.id, resolved)
        logger.info(
            "top-up attempted",
            metadata: ["top_up": "\(topUp.id)", "gateway": "\(config.name)", "status": "\(updated.status.rawValue)", "attempts": "\(updated.attempts)"])
        return updated
    }

    static func chargeKey(_ topUp: TopUp) -> IdempotencyKey {
        IdempotencyKey(ledgerKey: "top-up:\(topUp.id.uuidString.lowercased())", operation: "charge")
    }

    /// Calls the vendor, re-sending after transient failures, and says what the answer means for the top-up.
    private func resolve(
        _ kind: GatewayKind, _ operation: String, _ call: () async throws(GatewayError) -> PaymentOutcome
    ) async -> TopUpResolution {
        var delays = retryDelays[...]
        while true {
            let started = ContinuousClock.now
            let result: Result<PaymentOutcome, GatewayError>
            do { result = .success(try await call()) } catch { result = .failure(error) }
            metrics.gatewayCall(kind, operation, ContinuousClock.now - started)
            switch result {
            case .success(let outcome):
                switch outcome.state {
                case .succeeded: return .succeeded(paymentID: outcome.ref.id)
                case .pending: return .pending(paymentID: outcome.ref.id)
                case .requiresAction:
                    return .failed("the payment method needs its holder present (for example 3-D Secure); attach another payment method")
                case .declined(let decline): return .declined(code: decline.code, message: decline.message)
                case .failed(let why): return .failed(why)
                case .canceled: return .failed("the gateway canceled the payment")
                }
            case .failure(let error):
                switch error {
                case .declined(let decline):
                    return .declined(code: decline.code, message: decline.message)
                case .rateLimited, .transient, .duplicateSuspected:
                    guard let delay = delays.popFirst() else { return .retry(at: Date(), why: error.description) }
                    var wait = delay
                    if case .rateLimited(let retryAfter?) = error { wait = max(delay, retryAfter) }
                    guard wait <= maxInlineWait else { return .retry(at: Date(), why: error.description) }
                    try? await Task.sleep(for: wait)
                default:
                    return .failed(error.description)
                }
            }
        }
    }

    /// 30 s, 1 min, 2 min … up to an hour between attempts.
    static func backoff(_ attempts: Int) -> Date {
        let delay = Backoff(first: .seconds(30), ceiling: .seconds(3600)).delay(afterFailures: attempts + 1)
        return Date(timeIntervalSinceNow: TimeInterval(delay.components.seconds))
    }
}
