/// One member of a `Signature-Input` dictionary: its label, the covered components and the signature parameters.
public struct SignatureInput: Sendable, Hashable {
    public let label: String
    public let components: [SignatureComponent]
    public let parameters: SignatureParameters
    /// The member value exactly as it will be serialized into `@signature-params`.
    public let innerList: StructuredFieldInnerList

    public init(label: String, components: [SignatureComponent], parameters: SignatureParameters) {
        self.label = label
        self.components = components
        self.parameters = parameters
        innerList = StructuredFieldInnerList(components.map(\.item), parameters: parameters.structuredFieldParameters)
    }

    init(label: String, member: StructuredFieldMember) throws(WebBotAuthError) {
        guard case .innerList(let innerList) = member else {
            throw WebBotAuthError.malformedSignatureInput(label: label, reason: "the value must be an inner list")
        }
        var components: [SignatureComponent] = []
        for item in innerList.items {
            do {
                components.append(try SignatureComponent(item: item))
            } catch .malformedSignatureInput(_, let reason) {
                throw WebBotAuthError.malformedSignatureInput(label: label, reason: reason)
            }
        }
        self.label = label
        self.components = components
        self.parameters = try SignatureParameters(innerList.parameters, label: label)
        self.innerList = innerList
    }

    /// Every member of a `Signature-Input` field value, in order.
    public static func parse(_ fieldValue: String) throws(WebBotAuthError) -> [SignatureInput] {
        let dictionary: StructuredFieldDictionary
        do {
            dictionary = try StructuredFieldParser.parseDictionary(fieldValue)
        } catch {
            throw WebBotAuthError.malformedHeader(WebBotAuthHeaderName.signatureInput, error)
        }
        var inputs: [SignatureInput] = []
        for entry in dictionary { inputs.append(try SignatureInput(label: entry.key, member: entry.value)) }
        return inputs
    }

    /// The member as it appears in the header, `label=(...);params`.
    public func headerMember() throws(WebBotAuthError) -> String {
        do {
            return try StructuredFieldSerializer.serialize([label: .innerList(innerList)] as StructuredFieldDictionary)
        } catch {
            throw WebBotAuthError.malformedSignatureInput(label: label, reason: error.description)
        }
    }
}
