/// A Web Bot Auth signature found in a request and checked for shape and the profile's coverage rules, but not yet
/// for time or cryptography. It tells the caller which key to look up (`keyID`, `signatureAgent`).
public struct WebBotAuthSignature: Sendable, Hashable {
    public let input: SignatureInput
    /// The 64 signature bytes from the `Signature` member of the same label.
    public let signature: [UInt8]
    public let keyID: String
    public let created: Int64
    public let expires: Int64
    /// The parsed `Signature-Agent` header, when the request has one.
    public let signatureAgent: SignatureAgent?
    /// The agents whose `Signature-Agent` entries this signature covers (all of them when the whole field is
    /// covered, the `;key=` member otherwise).
    public let coveredAgents: [SignatureAgentEntry]

    public var label: String { input.label }
    public var nonce: String? { input.parameters.nonce }
    public var components: [SignatureComponent] { input.components }

    public init(
        input: SignatureInput, signature: [UInt8], keyID: String, created: Int64, expires: Int64,
        signatureAgent: SignatureAgent?, coveredAgents: [SignatureAgentEntry]
    ) {
        self.input = input
        self.signature = signature
        self.keyID = keyID
        self.created = created
        self.expires = expires
        self.signatureAgent = signatureAgent
        self.coveredAgents = coveredAgents
    }
}
