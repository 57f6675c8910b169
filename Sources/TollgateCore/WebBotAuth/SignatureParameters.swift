/// The RFC 9421 signature parameters Web Bot Auth uses, read from (or written to) the `@signature-params` inner list.
/// Other parameters are kept in the inner list (they are signed) but have no meaning to us.
public struct SignatureParameters: Sendable, Hashable {
    public var created: Int64?
    public var expires: Int64?
    public var keyID: String?
    public var algorithm: String?
    public var nonce: String?
    public var tag: String?

    public init(
        created: Int64? = nil, expires: Int64? = nil, keyID: String? = nil, algorithm: String? = nil,
        nonce: String? = nil, tag: String? = nil
    ) {
        self.created = created
        self.expires = expires
        self.keyID = keyID
        self.algorithm = algorithm
        self.nonce = nonce
        self.tag = tag
    }

    init(_ parameters: StructuredFieldParameters, label: String) throws(WebBotAuthError) {
        func integer(_ name: String) throws(WebBotAuthError) -> Int64? {
            guard let value = parameters[name] else { return nil }
            guard let integer = value.integerValue else {
                throw WebBotAuthError.malformedSignatureInput(label: label, reason: "\(name) must be an integer")
            }
            return integer
        }
        func string(_ name: String) throws(WebBotAuthError) -> String? {
            guard let value = parameters[name] else { return nil }
            guard let string = value.stringValue else {
                throw WebBotAuthError.malformedSignatureInput(label: label, reason: "\(name) must be a string")
            }
            return string
        }
        self.init(
            created: try integer("created"), expires: try integer("expires"), keyID: try string("keyid"),
            algorithm: try string("alg"), nonce: try string("nonce"), tag: try string("tag")
        )
    }

    /// In the order Cloudflare's reference signer writes them, so re-signing its vectors is byte-identical.
    public var structuredFieldParameters: StructuredFieldParameters {
        var parameters = StructuredFieldParameters()
        if let created { parameters["created"] = .integer(created) }
        if let keyID { parameters["keyid"] = .string(keyID) }
        if let algorithm { parameters["alg"] = .string(algorithm) }
        if let expires { parameters["expires"] = .integer(expires) }
        if let nonce { parameters["nonce"] = .string(nonce) }
        if let tag { parameters["tag"] = .string(tag) }
        return parameters
    }
}
