import Foundation
import TollgateGateways

/// Saves a crawler operator's payment method: the vendor customer is created once per operator and gateway, then
/// the token from the vendor's client-side flow is attached to it.
public struct PaymentMethodService: Sendable {
    let repository: any PaymentRepository
    let gateways: GatewayDirectory

    public func attach(operatorID: UUID, email: String, name: String, gatewayName: String, token: String) async throws -> PaymentMethodRecord {
        guard let config = try await repository.gateway(name: gatewayName), config.enabled else { throw PaymentError.unknownGateway(gatewayName) }
        let gateway = try await gateways.gateway(config)
        let customer: String
        if let existing = try await repository.customer(operatorID: operatorID, gatewayID: config.id) {
            customer = existing
        } else {
            let created = try await gateway.createCustomer(
                CreateCustomer(ownerID: operatorID, email: email, name: name),
                key: IdempotencyKey(ledgerKey: "customer:\(operatorID.uuidString.lowercased()):\(config.id.uuidString.lowercased())", operation: "create-customer"))
            customer = try await repository.saveCustomer(operatorID: operatorID, gatewayID: config.id, vendorCustomerID: created.id)
        }
        let stored = try await gateway.attachPaymentMethod(
            AttachPaymentMethod(customer: CustomerRef(id: customer), token: token),
            key: IdempotencyKey(ledgerKey: "attach:\(customer):\(token)", operation: "attach-payment-method"))
        return try await repository.saveMethod(operatorID: operatorID, gatewayID: config.id, stored)
    }

    /// Reads the method's status back from the vendor (expired cards, removed mandates) and stores it.
    public func refresh(_ method: PaymentMethodRecord) async throws -> PaymentMethodRecord {
        guard let config = try await repository.gateway(id: method.gatewayID) else { return method }
        let gateway = try await gateways.gateway(config)
        guard gateway.capabilities.contains(.paymentMethodLookup) else { return method }
        let stored = try await gateway.paymentMethod(StoredMethodRef(id: method.vendorMethodID))
        return try await repository.saveMethod(operatorID: method.operatorID, gatewayID: method.gatewayID, stored)
    }
}
