/// RFC 9421 §2.5 signature base of a response: components flagged `;req` take their value from the request that
/// caused the response (§2.4), `@status` is the response status, and header fields come from the response.
public enum ResponseSignatureBase {
    public static func build(
        for input: SignatureInput, response: MessageSignatureResponseHead, request: some MessageSignatureRequest
    ) throws(WebBotAuthError) -> String {
        try SignatureBase.assemble(input) { component throws(WebBotAuthError) in
            try componentValue(component, response: response, request: request)
        }
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
