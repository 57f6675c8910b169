import Foundation
import Logging
import TollgateCore
import TollgateGateways

/// Gives unused balance back through the gateway it came from. The balance is debited when the refund is asked
/// for (so it cannot be spent meanwhile), never beyond what the top-up paid, and credited back if the vendor refuses.
public struct RefundService: Sendable {
    let repository: any PaymentRepository
    let gateways: GatewayDirectory
    let logger: Logger
    var retryDelays: [Duration] = [.milliseconds(200), .milliseconds(800)]

    public func refund(account: CrawlerAccount, amount: Money, topUpID: UUID?, reason: String, requestKey: String) async throws -> Refund {
        guard amount.currency == account.currency else { throw PaymentError.currencyMismatch(account.currency) }
        let topUp: TopUp
        if let topUpID {
            guard let found = try await repository.topUp(id: topUpID), found.crawlerAccountID == account.id else { throw PaymentError.unknownTopUp }
            topUp = found
        } else {
            // The newest top-up that can carry the whole amount.
            guard let found = try await repository.topUps(crawlerAccountID: account.id, limit: 500)
                .first(where: { $0.status == .succeeded && $0.refundable.micros >= amount.micros })
            else { throw PaymentError.nothingToRefund }
            topUp = found
        }
        let (refund, _) = try await repository.createRefund(topUpID: topUp.id, amount: amount, reason: reason, requestKey: requestKey)
        guard refund.status == .pending else { return refund }
        return try await attempt(refund, topUp: topUp)
    }

    public func retry(_ refund: Refund) async throws -> Refund {
        guard refund.status == .pending, let topUp = try await repository.topUp(id: refund.topUpID) else { return refund }
        return try await attempt(refund, topUp: topUp)
    }

    private func attempt(_ refund: Refund, topUp: TopUp) async throws -> Refund {
        guard let config = try await repository.gateway(id: topUp.gatewayID), let paymentID = topUp.vendorPaymentID else {
            return try await repository.resolveRefund(id: refund.id, .failed("the top-up has no payment at the gateway"))
        }
        let gateway = try await gateways.gateway(config)
        if refund.vendorRefundID != nil {
            // Asynchronous refunds (Adyen) are settled by the vendor's webhook.
            return try await repository.resolveRefund(id: refund.id, .retry(at: TopUpService.backoff(refund.attempts), why: "waiting for the gateway's webhook"))
        }
        let request = RefundRequest(payment: PaymentRef(id: paymentID), amount: refund.amount, reason: refund.reason, reference: refund.reference)
        let key = IdempotencyKey(ledgerKey: "refund:\(refund.id.uuidString.lowercased())", operation: "refund")
        var delays = retryDelays[...]
        var resolution: RefundResolution
        while true {
            do {
                let outcome = try await gateway.refund(request, key: key)
                switch outcome.state {
                case .succeeded: resolution = .succeeded(refundID: outcome.id)
                case .pending: resolution = .pending(refundID: outcome.id)
                case .failed(let why): resolution = .failed(why)
                }
            } catch where error.isRetryable {
                if let delay = delays.popFirst() {
                    try? await Task.sleep(for: delay)
                    continue
                }
                resolution = .retry(at: TopUpService.backoff(refund.attempts), why: error.description)
            } catch {
                resolution = .failed(error.description)
            }
            break
        }
        let updated = try await repository.resolveRefund(id: refund.id, resolution)
        logger.info("refund attempted", metadata: ["refund": "\(refund.id)", "gateway": "\(config.name)", "status": "\(updated.status.rawValue)"])
        return updated
    }
}
