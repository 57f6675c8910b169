/// RFC 9421 §2.5 signature base of a response: components flagged `;req` take their value from the request that
/// caused the response (§2.4), `@status` is the response status, and header fields come from the response.
public enum ResponseSignatureBase {
    public static func build(
        for input: SignatureInput, response: MessageSignatureResponseHead, request: some MessageSignatureRequest
    ) throws(WebBotAuthError) -> String {
        var lines: [String] = []
        var seen: Set<SignatureComponent> = []
        for component in input.components {
            let identifier = try component.identifier()
            guard seen.insert(component).inserted else { throw WebBotAuthError.duplicateComponent(identifier) }
            let value = try componentValue(component, response: response, request: request)
            guard !value.contains(where: { $0 == "\n" || $0 == "\r" }) else {
                throw WebBotAuthError.invalidComponentValue(identifier)
            }
            lines.append("\(identifier): \(value)")
        }
        let signatureParameters: String
        do {
            signatureParameters = try StructuredFieldSerializer.serialize(input.innerList)
        } catch {
            throw WebBotAuthError.malformedSignatureInput(label: input.label, reason: error.description)
        }
        lines.append("\"@signature-params\": \(signatureParameters)")
        return lines.joined(separator: "\n")
    }

    static func componentValue(
        _ component: SignatureComponent, response: MessageSignatureResponseHead, request: some MessageSignatureRequest
    ) throws(WebBotAuthError) -> String {
        if component.fromRequest {
            return try SignatureBase.componentValue(SignatureComponent(component.name, key: component.key), request: request)
        }
        if component.name == "@status" { return String(response.status) }
        // Other derived components describe the request; a response may only cover them with `;req`.
        guard !component.isDerived else { throw WebBotAuthError.unsupportedComponent(component.name) }
        return try SignatureBase.componentValue(component, request: ResponseFields(response: response))
    }
}

/// The response's header fields seen through the request protocol, so header and dictionary-member values are
/// computed by the same code as for requests. Only `headerValues` is read for non-derived components.
private struct ResponseFields: MessageSignatureRequest {
    let response: MessageSignatureResponseHead

    var method: String { "" }
    var scheme: String { "https" }
    var authority: String { "" }
    var path: String { "" }
    var query: String? { nil }

    func headerValues(named name: String) -> [String] { response.headerValues(named: name) }
}
