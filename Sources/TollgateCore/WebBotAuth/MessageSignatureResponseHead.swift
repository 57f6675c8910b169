/// What RFC 9421 reads from a response to build a response signature base: the status and the header fields.
public struct MessageSignatureResponseHead: Sendable, Hashable {
    public var status: Int
    public var fields: [MessageSignatureRequestHead.Field]

    public init(status: Int, fields: [MessageSignatureRequestHead.Field] = []) {
        self.status = status
        self.fields = fields
    }

    /// The values of every field line named `name` (lower case), in order.
    public func headerValues(named name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name }.map(\.value)
    }

    /// All field lines of `name` combined as RFC 9421 §2.1 requires; nil when the field is absent.
    public func combinedHeaderValue(named name: String) -> String? {
        let values = headerValues(named: name)
        guard !values.isEmpty else { return nil }
        return values.map { $0.trimmingHTTPWhitespace() }.joined(separator: ", ")
    }
}
