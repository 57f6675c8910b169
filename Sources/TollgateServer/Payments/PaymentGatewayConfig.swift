import Foundation
import TollgateCore
import TollgateGateways

/// A gateway the platform operator configured. Credentials stay sealed in the database; only their names leave it.
public struct PaymentGatewayConfig: Sendable, Hashable, Encodable {
    public let id: UUID
    public let name: String
    public let kind: GatewayKind
    public let baseURL: String
    public let credentialNames: [String]
    public let minimumTopUpMicros: Int64
    public let enabled: Bool
    public let createdAt: Date
    public let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, kind, baseURL = "base_url", credentialNames = "credential_names"
        case minimumTopUpMicros = "minimum_top_up_micros", enabled, createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// A saved payment method of a crawler operator (never card numbers: the vendor holds those).
public struct PaymentMethodRecord: Sendable, Hashable, Encodable {
    public let id: UUID
    public let operatorID: UUID
    public let gatewayID: UUID
    public let gatewayName: String
    public let vendorMethodID: String
    public let display: String
    public let status: String
    public let expiresMonth: Int?
    public let expiresYear: Int?
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, operatorID = "operator_id", gatewayID = "gateway_id", gatewayName = "gateway", vendorMethodID = "vendor_method_id"
        case display, status, expiresMonth = "expires_month", expiresYear = "expires_year", createdAt = "created_at"
    }
}

/// Money coming in through a gateway for one crawler account.
public struct TopUp: Sendable, Hashable {
    public enum Status: String, Sendable, Codable { case pending, succeeded, declined, failed }
    public enum Source: String, Sendable, Codable { case manual, auto }

    public let id: UUID
    public let crawlerAccountID: UUID
    public let paymentMethodID: UUID
    public let gatewayID: UUID
    public let requestKey: String
    public let vendorKey: String
    public let reference: String
    public let source: Source
    public let amount: Money
    public let status: Status
    public let vendorPaymentID: String?
    public let failureCode: String?
    public let failureMessage: String?
    public let refunded: Money
    public let ledgerTransactionID: UUID?
    public let attempts: Int
    public let createdAt: Date
    public let updatedAt: Date

    public var refundable: Money { Money(micros: amount.micros - refunded.micros, currency: amount.currency) }
}

/// Unused balance going back through the gateway the money came from.
public struct Refund: Sendable, Hashable {
    public enum Status: String, Sendable, Codable { case pending, succeeded, failed }

    public let id: UUID
    public let topUpID: UUID
    public let requestKey: String
    public let vendorKey: String
    public let reference: String
    public let amount: Money
    public let reason: String
    public let status: Status
    public let vendorRefundID: String?
    public let failureMessage: String?
    public let attempts: Int
    public let createdAt: Date
    public let updatedAt: Date
}

public struct AutoTopUpSettings: Sendable, Hashable {
    public let crawlerAccountID: UUID
    public let paymentMethodID: UUID
    public let threshold: Money
    public let amount: Money
    public let enabled: Bool
    public let lastFailure: String?
}

/// A recorded transfer of a tenant's earnings for a period.
public struct Payout: Sendable, Hashable {
    public let id: UUID
    public let tenantID: UUID
    public let periodStart: Date
    public let periodEnd: Date
    public let amount: Money
    public let method: String
    public let reference: String
    public let note: String
    public let ledgerTransactionID: UUID
    public let createdAt: Date
}

/// Our reference for a vendor: 20 characters of [A-Z2-7] from a row id (Authorize.Net allows 20 in an invoice
/// number; every other vendor allows more).
enum PaymentReference {
    static func make(_ id: UUID) -> String {
        let u = id.uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12]
        return String(Base32.encode(bytes).prefix(20))
    }
}
