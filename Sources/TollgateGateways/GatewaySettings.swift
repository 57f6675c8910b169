/// What the platform operator configures for one gateway: where it is and the credentials it needs. Credentials are
/// secrets: the control plane stores them sealed and never returns or logs them.
public struct GatewaySettings: Sendable, Hashable {
    public let baseURL: String
    public let credentials: [String: String]

    public init(baseURL: String, credentials: [String: String]) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
    }

    /// A required credential, or an error naming it.
    public func credential(_ name: String) throws(GatewayError) -> String {
        guard let value = credentials[name], !value.isEmpty else {
            throw .invalidRequest(code: "configuration", message: "the gateway needs the credential \(name)", field: "credentials.\(name)")
        }
        return value
    }
}

/// One credential an adapter needs, for validation and for the operator's form.
public struct CredentialField: Sendable, Hashable {
    public let name: String
    public let summary: String
    public let isRequired: Bool

    public init(_ name: String, _ summary: String, required: Bool = true) {
        self.name = name
        self.summary = summary
        isRequired = required
    }
}

/// An adapter the control plane can build from stored settings.
public protocol ConfigurableGateway: PaymentGateway {
    static var gatewayKind: GatewayKind { get }
    /// The vendor's production endpoint; sandboxes and our fakes are configured instead.
    static var defaultBaseURL: String { get }
    /// Credentials for API calls and for webhook verification.
    static var credentialFields: [CredentialField] { get }
    init(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError)
    /// The verifier for deliveries to `/v1/webhooks/{gateway}` with these settings. `transport` is the server's, for
    /// verifiers that fetch what they check against (PayPal's certificates); the HMAC verifiers ignore it.
    static func webhookVerifier(settings: GatewaySettings, transport: GatewayTransport) throws(GatewayError) -> any WebhookVerifier
}
