import Foundation
import TollgateCore

/// Names a ledger account without knowing its row id: accounts are created on first use.
public struct LedgerAccountRef: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// What a crawler account has prepaid (positive) or owes within its overdraft limit (negative).
        case crawlerBalance = "crawler_balance"
        /// What a tenant has earned from charges, net of the platform fee.
        case tenantEarnings = "tenant_earnings"
        case platformFees = "platform_fees"
        /// Money received from or returned to payment gateways, not yet settled.
        case gatewayClearing = "gateway_clearing"
        case refunds
        /// The other side of the platform operator's manual credits and adjustments.
        case manualAdjustments = "manual_adjustments"
        /// Tenant earnings paid out.
        case payouts
    }

    public let kind: Kind
    public let crawlerAccountID: UUID?
    public let tenantID: UUID?
    public let currency: Currency

    public static func crawler(_ id: UUID, _ currency: Currency) -> Self {
        Self(kind: .crawlerBalance, crawlerAccountID: id, tenantID: nil, currency: currency)
    }

    public static func tenantEarnings(_ id: UUID, _ currency: Currency) -> Self {
        Self(kind: .tenantEarnings, crawlerAccountID: nil, tenantID: id, currency: currency)
    }

    public static func platform(_ kind: Kind, _ currency: Currency) -> Self {
        precondition(kind != .crawlerBalance && kind != .tenantEarnings, "\(kind) accounts belong to an owner")
        return Self(kind: kind, crawlerAccountID: nil, tenantID: nil, currency: currency)
    }

    /// A stable total order; every transaction locks its accounts in this order, so concurrent postings never deadlock.
    public var description: String {
        "\(kind.rawValue):\(crawlerAccountID?.uuidString.lowercased() ?? tenantID?.uuidString.lowercased() ?? "platform"):\(currency.code)"
    }
}
