/// How a JSON decoding failure is told to people: the server's problem details and the edge agent's configuration
/// and control-plane errors name fields the same way.
extension DecodingError {
    /// `path_rules[2].pattern`: keys joined by dots, array indices in brackets; empty for the document itself.
    public static func fieldPath(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
    }

    /// Where the document went wrong and how, in one line an operator can act on: `sites[0].status is missing`.
    public var summary: String {
        func place(_ codingPath: [any CodingKey]) -> String {
            let path = Self.fieldPath(codingPath)
            return path.isEmpty ? "the document" : path
        }
        switch self {
        case .keyNotFound(let key, let context): return "\(place(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(place(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
