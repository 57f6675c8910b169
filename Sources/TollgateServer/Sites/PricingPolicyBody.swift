import TollgateCore

/// A `PricingPolicy` decoded strictly from a request. `PricingPolicy`'s own `Decodable` ignores fields it does not
/// know, so a typo (`"defualt_price"`) or a misplaced field (`"price"` on a free rule) would silently change what
/// the tenant charges; this first walks the JSON and refuses, with the field's path, anything the OpenAPI schema
/// `PricingPolicy` does not allow, then decodes the policy. Semantic checks (currencies, patterns, duplicates)
/// are `PricingPolicy.validationIssues()`'s, see `PricingValidation`.
struct PricingPolicyBody: JSONRequestBody {
    static let maxPatternLength = 512
    static let maxCrawlerLength = 200

    let policy: PricingPolicy

    enum CodingKeys: String, CodingKey, CaseIterable {
        case currency
        case defaultPrice = "default_price"
        case purposes
        case freePaths = "free_paths"
        case pathRules = "path_rules"
        case crawlerOverrides = "crawler_overrides"
        case inBand = "in_band"
    }

    init(from decoder: any Decoder) throws {
        let container = try StrictJSON.object(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        if let key = container.key(CodingKeys.defaultPrice.rawValue), try !container.decodeNil(forKey: key) {
            _ = try container.decode(PriceShape.self, forKey: key)
        }
        if let key = container.key(CodingKeys.purposes.rawValue) {
            _ = try StrictJSON.value(PurposesShape.self, at: key, in: container, expected: "an object")
        }
        if let key = container.key(CodingKeys.freePaths.rawValue) {
            _ = try StrictJSON.value(ListShape<PatternShape>.self, at: key, in: container, expected: "an array")
        }
        if let key = container.key(CodingKeys.pathRules.rawValue) {
            _ = try StrictJSON.value(ListShape<ActionShape<PathRuleFields>>.self, at: key, in: container, expected: "an array")
        }
        if let key = container.key(CodingKeys.crawlerOverrides.rawValue) {
            _ = try StrictJSON.value(ListShape<ActionShape<CrawlerOverrideFields>>.self, at: key, in: container, expected: "an array")
        }
        if let key = container.key(CodingKeys.inBand.rawValue) {
            _ = try StrictJSON.value(Bool.self, at: key, in: container, expected: "true or false")
        }
        policy = try PricingPolicy(from: decoder)
    }
}

/// `{"micros": 10000, "currency": "USD"}`; the sign and the currency are checked by `PricingPolicy` validation.
private struct PriceShape: Decodable {
    init(from decoder: any Decoder) throws {
        let container = try StrictJSON.object(decoder, allowed: ["micros", "currency"])
        let micros = try StrictJSON.required("micros", in: container)
        do {
            _ = try container.decode(Int64.self, forKey: micros)
        } catch {
            throw StrictJSON.invalid(
                container.codingPath + [micros],
                "must be an integer number of micros (1 000 000 per currency unit) from 0 to \(Int64.max)")
        }
        _ = try StrictJSON.required("currency", in: container)
    }
}

/// The purposes map: only known purposes as keys, each with an action.
private struct PurposesShape: Decodable {
    init(from decoder: any Decoder) throws {
        let container = try StrictJSON.object(decoder, allowed: nil)
        for key in container.allKeys {
            guard CrawlPurpose(rawValue: key.stringValue) != nil else {
                throw StrictJSON.invalid(
                    container.codingPath + [key],
                    "unknown purpose; use one of \(CrawlPurpose.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            _ = try StrictJSON.value(ActionShape<NoFields>.self, at: key, in: container, expected: "an object")
        }
    }
}

/// A JSON array whose elements must all be present (no nulls) and have the shape `Element`.
private struct ListShape<Element: Decodable>: Decodable {
    init(from decoder: any Decoder) throws {
        var container: any UnkeyedDecodingContainer
        do {
            container = try decoder.unkeyedContainer()
        } catch {
            throw StrictJSON.invalid(decoder.codingPath, "must be an array")
        }
        while !container.isAtEnd {
            let path = container.codingPath + [StrictJSON.Key(index: container.currentIndex)]
            if try container.decodeNil() { throw StrictJSON.invalid(path, "must not be null") }
            _ = try container.decode(Element.self)
        }
    }
}

/// A robots.txt path pattern (its syntax is checked by validation, which names the exact problem).
private struct PatternShape: Decodable {
    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        try PatternShape.check(value, at: decoder.codingPath)
    }

    static func check(_ pattern: String, at path: [any CodingKey]) throws {
        guard pattern.unicodeScalars.count <= PricingPolicyBody.maxPatternLength else {
            throw StrictJSON.invalid(path, "must be at most \(PricingPolicyBody.maxPatternLength) characters")
        }
    }
}

/// The fields a statement carries besides `action` and `price`.
private protocol ActionFields {
    static var names: [String] { get }
    static func check(_ container: KeyedDecodingContainer<StrictJSON.Key>) throws
}

private enum NoFields: ActionFields {
    static var names: [String] { [] }
    static func check(_ container: KeyedDecodingContainer<StrictJSON.Key>) throws {}
}

private enum PathRuleFields: ActionFields {
    static var names: [String] { ["pattern"] }
    static func check(_ container: KeyedDecodingContainer<StrictJSON.Key>) throws {
        let key = try StrictJSON.required("pattern", in: container)
        try PatternShape.check(try container.decode(String.self, forKey: key), at: container.codingPath + [key])
    }
}

private enum CrawlerOverrideFields: ActionFields {
    static var names: [String] { ["crawler"] }
    static func check(_ container: KeyedDecodingContainer<StrictJSON.Key>) throws {
        let key = try StrictJSON.required("crawler", in: container)
        let crawler = try container.decode(String.self, forKey: key)
        let scalars = crawler.unicodeScalars
        let path = container.codingPath + [key]
        guard scalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw StrictJSON.invalid(path, "must name the crawler by its product token, like GPTBot")
        }
        guard scalars.count <= PricingPolicyBody.maxCrawlerLength else {
            throw StrictJSON.invalid(path, "must be at most \(PricingPolicyBody.maxCrawlerLength) characters")
        }
        guard !scalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StrictJSON.invalid(path, "must not contain control characters")
        }
    }
}

/// `{"action": "free" | "block"}` or `{"action": "price", "price": {…}}`, plus `Fields`.
private struct ActionShape<Fields: ActionFields>: Decodable {
    init(from decoder: any Decoder) throws {
        let container = try StrictJSON.object(decoder, allowed: Fields.names + ["action", "price"])
        try Fields.check(container)
        let actionKey = try StrictJSON.required("action", in: container)
        let tags = ["free", "price", "block"]
        guard let action = try? container.decode(String.self, forKey: actionKey), tags.contains(action) else {
            throw StrictJSON.invalid(container.codingPath + [actionKey], "must be one of \(tags.joined(separator: ", "))")
        }
        if action == "price" {
            let priceKey = try StrictJSON.required("price", in: container)
            _ = try StrictJSON.value(PriceShape.self, at: priceKey, in: container, expected: "an object")
        } else if let priceKey = container.key("price") {
            throw StrictJSON.invalid(container.codingPath + [priceKey], "is only allowed when action is \"price\"")
        }
    }
}
