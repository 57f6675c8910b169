/// The header values a signer produces; set them on the request, replacing any earlier ones.
public struct WebBotAuthSignatureHeaders: Sendable, Hashable {
    public let signatureInput: String
    public let signature: String
    /// The `Signature-Agent` value the signature covers, when the signer names an agent.
    public let signatureAgent: String?
    /// The signature base that was signed.
    public let signatureBase: String

    public init(signatureInput: String, signature: String, signatureAgent: String?, signatureBase: String) {
        self.signatureInput = signatureInput
        self.signature = signature
        self.signatureAgent = signatureAgent
        self.signatureBase = signatureBase
    }

    /// As header fields, in the order they are usually sent.
    public var fields: [MessageSignatureRequestHead.Field] {
        var fields: [MessageSignatureRequestHead.Field] = []
        if let signatureAgent { fields.append(.init("Signature-Agent", signatureAgent)) }
        fields.append(.init("Signature-Input", signatureInput))
        fields.append(.init("Signature", signature))
        return fields
    }
}
