import Foundation
import TollgateCore
import TollgateGateways

public struct NewPaymentGateway: Sendable {
    public let name: String
    public let kind: GatewayKind
    public let baseURL: String
    public let credentials: [String: String]
    public let minimumTopUpMicros: Int64
}

public struct PaymentGatewayChanges: Sendable {
    public var baseURL: String?
    public var credentials: [String: String]?
    public var minimumTopUpMicros: Int64?
    public var enabled: Bool?
}

public struct NewTopUp: Sendable {
    public let crawlerAccountID: UUID
    public let paymentMethodID: UUID
    public let gatewayID: UUID
    public let requestKey: String
    public let source: TopUp.Source
    public let amount: Money
}

/// How a vendor call (or a webhook) settled a top-up. Only `pending` ever leads elsewhere, except that money the vendor
/// says it received is always credited.
public enum TopUpResolution: Sendable, Hashable {
    case succeeded(paymentID: String?)
    case pending(paymentID: String?)
    case declined(code: String?, message: String)
    case failed(String)
    /// Still unknown (the vendor did not answer): try again at `retryAt`.
    case retry(at: Date, why: String)
}

public enum RefundResolution: Sendable, Hashable {
    case succeeded(refundID: String?)
    case pending(refundID: String?)
    case failed(String)
    case retry(at: Date, why: String)
}

public enum PaymentError: Error, Equatable, CustomStringConvertible {
    case gatewayNameTaken(String)
    case unknownGateway(String)
    case methodOwnedElsewhere
    case requestKeyReused
    case refundExceedsPayment(refundable: Money)
    case insufficientFunds(available: Money)
    case payoutExceedsEarnings(available: Money)
    case payoutPeriodTaken
    case unknownPaymentMethod
    case paymentMethodUnusable(String)
    case currencyMismatch(Currency)
    case belowMinimum(Money)
    case aboveMaximum(Money)
    case unknownTopUp
    case unknownRefund
    case nothingToRefund

    public var description: String {
        switch self {
        case .gatewayNameTaken(let name): "a gateway named \(name) exists"
        case .unknownGateway(let name): "no gateway \(name)"
        case .methodOwnedElsewhere: "this payment method belongs to another crawler operator"
        case .requestKeyReused: "the Idempotency-Key was already used for a different request"
        case .refundExceedsPayment(let refundable): "at most \(refundable) of this top-up can still be refunded"
        case .insufficientFunds(let available): "only \(available) of the balance is available"
        case .payoutExceedsEarnings(let available): "the tenant's earnings balance is \(available)"
        case .payoutPeriodTaken: "a payout for this tenant, currency and period exists"
        case .unknownPaymentMethod: "no such payment method"
        case .paymentMethodUnusable(let status): "the payment method is \(status)"
        case .currencyMismatch(let currency): "the amount must be in the account's currency, \(currency.code)"
        case .belowMinimum(let minimum): "the gateway's smallest top-up is \(minimum)"
        case .aboveMaximum(let maximum): "a top-up is at most \(maximum)"
        case .unknownTopUp: "no such top-up"
        case .unknownRefund: "no such refund"
        case .nothingToRefund: "no single top-up of this account has that much left to refund"
        }
    }
}

/// Storage of gateways, payment methods, top-ups, refunds, webhook deliveries and payouts. Every change of money is
/// posted to the ledger in the same database transaction as the row that causes it.
public protocol PaymentRepository: Sendable {
    func createGateway(_ gateway: NewPaymentGateway, audit: AuditRecord) async throws -> PaymentGatewayConfig
    func updateGateway(id: UUID, _ changes: PaymentGatewayChanges, audit: AuditRecord) async throws -> PaymentGatewayConfig?
    func gateways() async throws -> [PaymentGatewayConfig]
    func gateway(id: UUID) async throws -> PaymentGatewayConfig?
    func gateway(name: String) async throws -> PaymentGatewayConfig?
    /// The unsealed credentials; callers never log or return them.
    func credentials(gatewayID: UUID) async throws -> [String: String]

    func customer(operatorID: UUID, gatewayID: UUID) async throws -> String?
    /// Stores the vendor's customer id; when another request stored one first, returns that one.
    func saveCustomer(operatorID: UUID, gatewayID: UUID, vendorCustomerID: String) async throws -> String
    func saveMethod(operatorID: UUID, gatewayID: UUID, _ method: StoredMethod) async throws -> PaymentMethodRecord
    func methods(operatorID: UUID) async throws -> [PaymentMethodRecord]
    func method(id: UUID, operatorID: UUID) async throws -> PaymentMethodRecord?
    func setMethodStatus(id: UUID, status: String) async throws

    /// Inserts a pending top-up, or returns the one created earlier under the same account and request key.
    func createTopUp(_ topUp: NewTopUp) async throws -> (TopUp, created: Bool)
    func topUp(id: UUID) async throws -> TopUp?
    func topUps(crawlerAccountID: UUID, limit: Int) async throws -> [TopUp]
    func resolveTopUp(id: UUID, _ resolution: TopUpResolution) async throws -> TopUp
    /// Pending top-ups whose next attempt is due.
    func dueTopUps(limit: Int) async throws -> [TopUp]

    /// Debits the balance and reserves the amount on the top-up, or returns the refund made earlier under the key.
    func createRefund(topUpID: UUID, amount: Money, reason: String, requestKey: String) async throws -> (Refund, created: Bool)
    func refunds(crawlerAccountID: UUID, limit: Int) async throws -> [Refund]
    func resolveRefund(id: UUID, _ resolution: RefundResolution) async throws -> Refund
    func dueRefunds(limit: Int) async throws -> [Refund]

    /// Records each event once (by vendor event id) and applies it in the same transaction; returns what each did.
    func applyWebhook(gatewayID: UUID, events: [GatewayEvent]) async throws -> [String]

    func setAutoTopUp(_ settings: AutoTopUpSettings?, crawlerAccountID: UUID) async throws
    func autoTopUp(crawlerAccountID: UUID) async throws -> AutoTopUpSettings?
    /// Enabled auto top-ups whose balance is below the threshold, with no automatic top-up in flight.
    func autoTopUpsDue() async throws -> [AutoTopUpSettings]
    func recordAutoTopUpFailure(crawlerAccountID: UUID, message: String?) async throws

    func createPayout(
        tenantID: UUID, amount: Money, periodStart: Date, periodEnd: Date, reference: String, note: String, createdBy: UUID,
        audit: AuditRecord
    ) async throws -> Payout
    func payouts(tenantID: UUID) async throws -> [Payout]
}
