/// Helpers for `Decodable` types that check a JSON document's shape field by field, reporting problems as
/// `DecodingError.dataCorrupted` at the offending path, which `Request.decodeJSON` turns into a 422 naming it.
enum StrictJSON {
    /// Any object key, or an array index.
    struct Key: CodingKey {
        let stringValue: String
        let intValue: Int?
        init(stringValue: String) {
            self.stringValue = stringValue
            intValue = nil
        }
        init(index: Int) {
            stringValue = "Index \(index)"
            intValue = index
        }
        init?(intValue: Int) { self.init(index: intValue) }
    }

    static func invalid(_ path: [any CodingKey], _ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: message))
    }

    /// The value as an object, after refusing keys outside `allowed` (nil allows any key).
    static func object(_ decoder: any Decoder, allowed: [String]?) throws -> KeyedDecodingContainer<Key> {
        let container: KeyedDecodingContainer<Key>
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            throw invalid(decoder.codingPath, "must be an object")
        }
        if let allowed {
            for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !allowed.contains(key.stringValue) {
                throw invalid(
                    container.codingPath + [key], "unknown field; accepted fields are \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return container
    }

    /// The key for a field that must be present.
    static func required(_ name: String, in container: KeyedDecodingContainer<Key>) throws -> Key {
        guard let key = container.key(name) else {
            throw DecodingError.keyNotFound(Key(stringValue: name), .init(codingPath: container.codingPath, debugDescription: "is required"))
        }
        return key
    }

    /// Decodes `Shape` at `key`, refusing null with a message that says what was expected.
    static func value<Shape: Decodable>(
        _ type: Shape.Type, at key: Key, in container: KeyedDecodingContainer<Key>, expected: String
    ) throws -> Shape {
        if try container.decodeNil(forKey: key) { throw invalid(container.codingPath + [key], "must be \(expected), not null") }
        return try container.decode(Shape.self, forKey: key)
    }
}

extension KeyedDecodingContainer where Key == StrictJSON.Key {
    func key(_ name: String) -> Key? {
        let key = Key(stringValue: name)
        return contains(key) ? key : nil
    }
}
