/// One covered component of an RFC 9421 signature: a derived component (`@authority`) or a header field
/// (`signature-agent`), optionally one member of a dictionary field (`;key="agent2"`).
public struct SignatureComponent: Sendable, Hashable {
    public static let authority = SignatureComponent("@authority")
    public static let targetURI = SignatureComponent("@target-uri")

    /// The lower-case component name.
    public let name: String
    /// The dictionary member selected with `;key=`, for dictionary header fields.
    public let key: String?

    public init(_ name: String, key: String? = nil) {
        self.name = name.lowercased()
        self.key = key
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
        for parameter in item.parameters {
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
    }

    /// The component as an inner-list item.
    public var item: StructuredFieldItem {
        var parameters = StructuredFieldParameters()
        if let key { parameters["key"] = .string(key) }
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
