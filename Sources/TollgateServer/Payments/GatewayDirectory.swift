import AsyncHTTPClient
import Foundation
import TollgateGateways

/// Builds adapters and webhook verifiers from the stored gateway settings, once per settings version, over one
/// shared HTTP client.
public actor GatewayDirectory {
    struct Built {
        let updatedAt: Date
        let gateway: any PaymentGateway
        let verifier: any WebhookVerifier
    }

    private let repository: any PaymentRepository
    private let transport: GatewayTransport
    private var built: [UUID: Built] = [:]

    public init(repository: any PaymentRepository, transport: GatewayTransport) {
        self.repository = repository
        self.transport = transport
    }

    public func gateway(_ config: PaymentGatewayConfig) async throws -> any PaymentGateway {
        try await build(config).gateway
    }

    public func verifier(_ config: PaymentGatewayConfig) async throws -> any WebhookVerifier {
        try await build(config).verifier
    }

    private func build(_ config: PaymentGatewayConfig) async throws -> Built {
        if let cached = built[config.id], cached.updatedAt == config.updatedAt { return cached }
        guard let adapter = GatewayCatalog.adapter(for: config.kind) else {
            throw GatewayError.unsupported("no adapter for \(config.kind.rawValue)")
        }
        let settings = GatewaySettings(baseURL: config.baseURL, credentials: try await repository.credentials(gatewayID: config.id))
        let entry = Built(
            updatedAt: config.updatedAt, gateway: try adapter.init(settings: settings, transport: transport),
            verifier: try adapter.webhookVerifier(settings: settings, transport: transport))
        built[config.id] = entry
        return entry
    }
}
