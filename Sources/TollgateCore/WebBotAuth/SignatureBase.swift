/// RFC 9421 §2.5 signature base: one `<identifier>: <value>` line per covered component in order, then the
/// `"@signature-params"` line, joined by LF with no trailing newline.
public enum SignatureBase {
    public static func build(for input: SignatureInput, request: some MessageSignatureRequest) throws(WebBotAuthError) -> String {
        try assemble(input) { component throws(WebBotAuthError) in try componentValue(component, request: request) }
    }

    /// The lines of a signature base for any message: `value` resolves each covered component (request or response).
    static func assemble(
        _ input: SignatureInput, value: (SignatureComponent) throws(WebBotAuthError) -> String
    ) throws(WebBotAuthError) -> String {
        var lines: [String] = []
        var seen: Set<SignatureComponent> = []
        for component in input.components {
            let identifier = try component.identifier()
            guard seen.insert(component).inserted else { throw WebBotAuthError.duplicateComponent(identifier) }
            let value = try value(component)
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

    /// The value of one component for this request (RFC 9421 §2.1 and §2.2).
    public static func componentValue(
        _ component: SignatureComponent, request: some MessageSignatureRequest
    ) throws(WebBotAuthError) -> String {
        // A request has no request of its own to point `;req` at (RFC 9421 §2.4); response bases strip it first.
        guard !component.fromRequest else {
            throw WebBotAuthError.unsupportedComponentParameter(component: component.name, parameter: "req")
        }
        let query = request.query.map { "?\($0)" } ?? ""
        let path = request.path.isEmpty ? "/" : request.path
        let authority = normalizedAuthority(request.authority, scheme: request.scheme)
        switch component.name {
        case "@method": return request.method
        case "@scheme": return request.scheme.lowercased()
        case "@authority": return authority
        case "@target-uri": return "\(request.scheme.lowercased())://\(authority)\(path)\(query)"
        case "@request-target": return path + query
        case "@path": return path
        case "@query": return query.isEmpty ? "?" : query
        default:
            guard !component.isDerived else { throw WebBotAuthError.unsupportedComponent(component.name) }
        }
        guard let value = request.combinedHeaderValue(named: component.name) else {
            throw WebBotAuthError.missingComponent(component.name)
        }
        guard let key = component.key else { return value }
        // §2.1.2: the value is the re-serialized dictionary member.
        let dictionary: StructuredFieldDictionary
        do {
            dictionary = try StructuredFieldParser.parseDictionary(value)
        } catch {
            throw WebBotAuthError.malformedHeader(component.name, error)
        }
        guard let member = dictionary[key] else {
            throw WebBotAuthError.missingDictionaryMember(field: component.name, key: key)
        }
        do {
            return try StructuredFieldSerializer.serialize(member)
        } catch {
            throw WebBotAuthError.malformedHeader(component.name, error)
        }
    }

    /// RFC 9421 §2.2.3: host in lower case, port only when it is not the scheme's default.
    public static func normalizedAuthority(_ authority: String, scheme: String) -> String {
        var authority = authority.trimmingHTTPWhitespace().lowercased()
        let defaultPort = scheme.lowercased() == "http" ? ":80" : ":443"
        if authority.hasSuffix(defaultPort) {
            authority.removeLast(defaultPort.count)
        } else if authority.hasSuffix(":") {
            authority.removeLast()
        }
        return authority
    }
}
