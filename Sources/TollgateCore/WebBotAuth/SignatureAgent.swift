/// A parsed `Signature-Agent` header in either form Web Bot Auth has used:
/// - dictionary (current): `sig1="https://agent.example";type=jwks_uri`, covered as `"signature-agent";key="sig1"`;
/// - sf-string (legacy draft-01): `"https://agent.example"`, covered as `"signature-agent"`.
public struct SignatureAgent: Sendable, Hashable {
    public enum Form: Sendable, Hashable {
        case dictionary
        case string
    }

    public let form: Form
    public let entries: [SignatureAgentEntry]

    /// The dictionary form; entries must have distinct labels.
    public init(entries: [SignatureAgentEntry]) throws(WebBotAuthError) {
        var labels: Set<String> = []
        for entry in entries {
            guard let label = entry.label else { throw WebBotAuthError.invalidSignatureAgent("dictionary entries need a label") }
            guard labels.insert(label).inserted else { throw WebBotAuthError.invalidSignatureAgent("label \(label) repeats") }
        }
        guard !entries.isEmpty else { throw WebBotAuthError.invalidSignatureAgent("no agent given") }
        form = .dictionary
        self.entries = entries
    }

    /// The legacy sf-string form.
    public init(legacyURI uri: String) throws(WebBotAuthError) {
        form = .string
        entries = [try SignatureAgentEntry(label: nil, uri: uri)]
    }

    /// Parses as a dictionary first and falls back to an sf-string, as the architecture draft says.
    public static func parse(_ fieldValue: String) throws(WebBotAuthError) -> SignatureAgent {
        if let dictionary = try? StructuredFieldParser.parseDictionary(fieldValue) {
            var entries: [SignatureAgentEntry] = []
            for entry in dictionary {
                guard case .item(let item) = entry.value, let uri = item.bareItem.stringValue else {
                    throw WebBotAuthError.invalidSignatureAgent("member \(entry.key) is not a quoted URL")
                }
                var type = SignatureAgentType.directory
                if let typeValue = item.parameters["type"] {
                    guard let name = typeValue.tokenValue ?? typeValue.stringValue,
                        let known = SignatureAgentType(rawValue: name)
                    else {
                        throw WebBotAuthError.invalidSignatureAgent("member \(entry.key) has an unknown type")
                    }
                    type = known
                }
                entries.append(try SignatureAgentEntry(label: entry.key, uri: uri, type: type))
            }
            return try SignatureAgent(entries: entries)
        }
        let item: StructuredFieldItem
        do {
            item = try StructuredFieldParser.parseItem(fieldValue)
        } catch {
            throw WebBotAuthError.malformedHeader(WebBotAuthHeaderName.signatureAgent, error)
        }
        guard let uri = item.bareItem.stringValue else {
            throw WebBotAuthError.invalidSignatureAgent("the value must be a quoted URL")
        }
        return try SignatureAgent(legacyURI: uri)
    }

    public func entry(label: String) -> SignatureAgentEntry? {
        entries.first { $0.label == label }
    }

    /// The header value: canonical dictionary (`;type` only when not `directory`) or a quoted string.
    public func headerValue() throws(WebBotAuthError) -> String {
        do {
            switch form {
            case .string:
                return try StructuredFieldSerializer.serialize(StructuredFieldItem(.string(entries[0].uri)))
            case .dictionary:
                var dictionary = StructuredFieldDictionary()
                for entry in entries {
                    var parameters = StructuredFieldParameters()
                    if entry.type != .directory { parameters["type"] = .token(entry.type.rawValue) }
                    dictionary[entry.label ?? ""] = .item(StructuredFieldItem(.string(entry.uri), parameters: parameters))
                }
                return try StructuredFieldSerializer.serialize(dictionary)
            }
        } catch {
            throw WebBotAuthError.invalidSignatureAgent(error.description)
        }
    }
}
