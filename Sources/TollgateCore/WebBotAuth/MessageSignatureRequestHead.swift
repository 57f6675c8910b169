import Foundation

/// A request reduced to what signing and verification read: method, target URI parts and header fields.
public struct MessageSignatureRequestHead: MessageSignatureRequest, Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    public var scheme: String
    public var authority: String
    public var path: String
    public var query: String?
    public var fields: [Field]

    public init(method: String, scheme: String, authority: String, path: String, query: String? = nil, fields: [Field] = []) {
        self.method = method
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fields = fields
    }

    /// Splits an absolute `http(s)` URL into the target parts; nil when it is not one.
    public init?(method: String = "GET", url: String, fields: [Field] = []) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
            var host = components.percentEncodedHost, !host.isEmpty
        else { return nil }
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        let authority = components.port.map { "\(host):\($0)" } ?? host
        self.init(
            method: method, scheme: scheme, authority: authority, path: components.percentEncodedPath,
            query: components.percentEncodedQuery, fields: fields
        )
    }

    public func headerValues(named name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name }.map(\.value)
    }

    /// Appends a field line.
    public mutating func addField(_ name: String, _ value: String) {
        fields.append(Field(name, value))
    }

    /// Replaces every field line of `name` with one line (or removes them for nil).
    public mutating func setField(_ name: String, _ value: String?) {
        let lowercased = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lowercased }
        if let value { fields.append(Field(name, value)) }
    }
}
