/// A Web Bot Auth signature that passed every rule and verified with the given key.
public struct VerifiedWebBotAuthSignature: Sendable, Hashable {
    public let signature: WebBotAuthSignature
    /// The exact bytes that were verified, e.g. for logging a dispute.
    public let signatureBase: String

    public init(signature: WebBotAuthSignature, signatureBase: String) {
        self.signature = signature
        self.signatureBase = signatureBase
    }

    public var keyID: String { signature.keyID }
    public var label: String { signature.label }
    public var nonce: String? { signature.nonce }
    public var coveredAgents: [SignatureAgentEntry] { signature.coveredAgents }
}
