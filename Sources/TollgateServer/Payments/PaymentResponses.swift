import Foundation
import TollgateCore

struct TopUpResponse: Encodable {
    let id: UUID
    let crawlerAccountID: UUID
    let paymentMethodID: UUID
    let reference: String
    let source: String
    let amount: Money
    let status: String
    let failureCode: String?
    let failureMessage: String?
    let refunded: Money
    let ledgerTransactionID: UUID?
    let createdAt: Date
    let updatedAt: Date

    init(_ topUp: TopUp) {
        id = topUp.id
        crawlerAccountID = topUp.crawlerAccountID
        paymentMethodID = topUp.paymentMethodID
        reference = topUp.reference
        source = topUp.source.rawValue
        amount = topUp.amount
        status = topUp.status.rawValue
        failureCode = topUp.failureCode
        // A pending top-up's last transient failure is ours to retry, not the operator's to act on.
        failureMessage = topUp.status == .pending ? nil : topUp.failureMessage
        refunded = topUp.refunded
        ledgerTransactionID = topUp.ledgerTransactionID
        createdAt = topUp.createdAt
        updatedAt = topUp.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, crawlerAccountID = "crawler_account_id", paymentMethodID = "payment_method_id", reference, source, amount, status
        case failureCode = "failure_code", failureMessage = "failure_message", refunded, ledgerTransactionID = "ledger_transaction_id"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

struct RefundResponse: Encodable {
    let id: UUID
    let topUpID: UUID
    let reference: String
    let amount: Money
    let reason: String
    let status: String
    let failureMessage: String?
    let createdAt: Date
    let updatedAt: Date

    init(_ refund: Refund) {
        id = refund.id
        topUpID = refund.topUpID
        reference = refund.reference
        amount = refund.amount
        reason = refund.reason
        status = refund.status.rawValue
        failureMessage = refund.status == .failed ? refund.failureMessage : nil
        createdAt = refund.createdAt
        updatedAt = refund.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, topUpID = "top_up_id", reference, amount, reason, status, failureMessage = "failure_message"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

struct AutoTopUpResponse: Encodable {
    let paymentMethodID: UUID
    let threshold: Money
    let amount: Money
    let enabled: Bool
    let lastFailure: String?

    init(_ settings: AutoTopUpSettings) {
        paymentMethodID = settings.paymentMethodID
        threshold = settings.threshold
        amount = settings.amount
        enabled = settings.enabled
        lastFailure = settings.lastFailure
    }

    enum CodingKeys: String, CodingKey {
        case paymentMethodID = "payment_method_id", threshold, amount, enabled, lastFailure = "last_failure"
    }
}

struct PayoutResponse: Encodable {
    let id: UUID
    let tenantID: UUID
    let periodStart: String
    let periodEnd: String
    let amount: Money
    let method: String
    let reference: String
    let note: String
    let ledgerTransactionID: UUID
    let createdAt: Date

    init(_ payout: Payout) {
        id = payout.id
        tenantID = payout.tenantID
        periodStart = Self.day(payout.periodStart)
        periodEnd = Self.day(payout.periodEnd)
        amount = payout.amount
        method = payout.method
        reference = payout.reference
        note = payout.note
        ledgerTransactionID = payout.ledgerTransactionID
        createdAt = payout.createdAt
    }

    static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle().year().month().day())
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", periodStart = "period_start", periodEnd = "period_end", amount, method, reference, note
        case ledgerTransactionID = "ledger_transaction_id", createdAt = "created_at"
    }
}
