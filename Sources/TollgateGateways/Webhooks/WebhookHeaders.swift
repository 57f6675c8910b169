/// The request headers a webhook verifier reads, with case-insensitive names (HTTP field names are
/// case-insensitive, and vendors document them in different cases).
public struct WebhookHeaders: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: String
    }

    public private(set) var fields: [Field]

    public init(_ pairs: [(name: String, value: String)] = []) {
        fields = pairs.map { Field(name: $0.name, value: $0.value) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Every value sent under `name`, in order.
    public func values(for name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The first value sent under `name`.
    public subscript(name: String) -> String? {
        values(for: name).first
    }

    /// Exactly one value: a repeated signature header is refused rather than guessed at, so an attacker cannot
    /// smuggle a second value past a proxy that keeps only one of them.
    func single(_ name: String) throws(WebhookVerificationError) -> String {
        let found = values(for: name)
        guard let value = found.first else { throw .missingHeader(name) }
        guard found.count == 1 else {
            throw .malformedHeader(name: name, reason: "sent \(found.count) times, expected once")
        }
        return value
    }
}
