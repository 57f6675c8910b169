/// One covered component of an RFC 9421 signature: a derived component (`@authority`) or a header field
/// (`signature-agent`), optionally one member of a dictionary field (`;key="agent2"`), and in a response signature
/// optionally taken from the request that caused the response (`;req`, RFC 9421 §2.4).
public struct SignatureComponent: Sendable, Hashable {
    public static let authority = SignatureComponent("@authority")
    public static let targetURI = SignatureComponent("@target-uri")

    /// The lower-case component name.
    public let name: String
    /// The dictionary member selected with `;key=`, for dictionary header fields.
    public let key: String?
    /// `;req`: the value comes from the request, not the response. Only response signatures may use it.
    public let fromRequest: Bool

    public init(_ name: String, key: String? = nil, fromRequest: Bool = false) {
        self.name = name.lowercased()
        self.key = key
        self.fromRequest = fromRequest
    }

    public var isDerived: Bool { name.hasPrefix("@") }

    /// Reads a component from an inner-list item of `Signature-Input`, accepting only what we can rebuild.
    init(item: StructuredFieldItem) throws(WebBotAuthError) {
        guard let name = item.bareItem.stringValue, !name.isEmpty else {
            throw WebBotAuthError.malformedSignatureInput(label: "", reason: "component identifiers must be strings")
        }
        guard name == name.lowercased() else {
            throw WebBotAuthError.malformedSignatureInput(label: "", reason: "component \(name) is not lower case")
        }
        var key: String?
        var fromRequest = false
        for parameter in item.parameters {
            if parameter.key == "req" {
                guard parameter.value.booleanValue == true else {
                    throw WebBotAuthError.malformedSignatureInput(label: "", reason: "req on \(name) must be a bare flag")
                }
                fromRequest = true
                continue
            }
            guard parameter.key == "key", !name.hasPrefix("@") else {
                throw WebBotAuthError.unsupportedComponentParameter(component: name, parameter: parameter.key)
            }
            guard let value = parameter.value.stringValue else {
                throw WebBotAuthError.malformedSignatureInput(label: "", reason: "key on \(name) must be a string")
            }
            key = value
        }
        self.name = name
        self.key = key
        self.fromRequest = fromRequest
    }

    /// The component as an inner-list item.
    public var item: StructuredFieldItem {
        var parameters = StructuredFieldParameters()
        if let key { parameters["key"] = .string(key) }
        if fromRequest { parameters["req"] = .boolean(true) }
        return StructuredFieldItem(.string(name), parameters: parameters)
    }

    /// The identifier that starts its signature-base line, e.g. `"signature-agent";key="agent2"`.
    public func identifier() throws(WebBotAuthError) -> String {
        do {
            return try StructuredFieldSerializer.serialize(item)
        } catch {
            throw WebBotAuthError.malformedSignatureInput(label: "", reason: error.description)
        }
    }
}
