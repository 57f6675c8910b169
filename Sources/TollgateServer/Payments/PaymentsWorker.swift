import Foundation
import Logging
import ServiceLifecycle
import TollgateCore

/// Resolves what requests left open — top-ups and refunds whose vendor call went unanswered are re-sent with the
/// same idempotency key or looked up — and starts automatic top-ups for balances below their threshold.
public struct PaymentsWorker: Service {
    let repository: any PaymentRepository
    let topUps: TopUpService
    let refunds: RefundService
    let operators: any CrawlerOperatorRepository
    let interval: Duration
    let logger: Logger

    public func run() async throws {
        let worker = self
        await cancelWhenGracefulShutdown {
            // The first pass waits one interval, so migrations at start-up finish before it.
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: worker.interval)
                } catch {
                    return
                }
                do {
                    try await worker.runOnce()
                } catch is CancellationError {
                    return
                } catch {
                    worker.logger.error("payments pass failed; trying again next pass", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }

    /// One pass; tests call it directly.
    public func runOnce() async throws {
        for topUp in try await repository.dueTopUps(limit: 100) {
            do { _ = try await topUps.retry(topUp) } catch { logger.error("top-up retry failed", metadata: ["top_up": "\(topUp.id)", "error": "\(error)"]) }
        }
        for refund in try await repository.dueRefunds(limit: 100) {
            do { _ = try await refunds.retry(refund) } catch { logger.error("refund retry failed", metadata: ["refund": "\(refund.id)", "error": "\(error)"]) }
        }
        for settings in try await repository.autoTopUpsDue() {
            guard let account = try await operators.account(id: settings.crawlerAccountID) else { continue }
            do {
                let topUp = try await topUps.topUp(
                    account: account, methodID: settings.paymentMethodID, amount: settings.amount, requestKey: "auto:\(UUID().uuidString.lowercased())",
                    source: .auto)
                if topUp.status == .declined || topUp.status == .failed {
                    // Stop until the operator changes the settings: a declined card must not be charged again and again.
                    try await repository.recordAutoTopUpFailure(crawlerAccountID: account.id, message: topUp.failureMessage ?? topUp.status.rawValue)
                }
            } catch PaymentError.requestKeyReused {
                continue  // another replica started one
            } catch {
                try await repository.recordAutoTopUpFailure(crawlerAccountID: account.id, message: "\(error)")
            }
        }
    }
}
