import TollgateCore

extension Schemas {
    /// Sites and pay-per-crawl pricing. Request schemas state exactly what `SitesController` and
    /// `PricingPolicyBody` accept; rules across fields (one currency per policy, no duplicate patterns or crawlers)
    /// are beyond JSON Schema and answered with 422.
    static var sites: [String: Any] {
        let hostname: [String: Any] = [
            "type": "string", "maxLength": Hostnames.maxLength, "pattern": Hostnames.pattern,
            "description": "A DNS name like www.example.com (no scheme, port or path); internationalised names in punycode (xn--…). Stored lowercase.",
        ]
        let hostnames: [String: Any] = ["type": "array", "items": hostname, "minItems": 1, "maxItems": Hostnames.maxCount]
        let name = text(max: SiteService.maxNameLength)
        let licenseURL: [String: Any] = [
            "type": ["string", "null"], "maxLength": LicenseURL.maxLength, "pattern": LicenseURL.pattern,
            "description": "The site's license or terms page (http or https), linked by the edge on 402 and charged answers; null: none.",
        ]
        return [
            "Site": object(
                [
                    "id": uuid, "name": string(), "hostnames": array(string()),
                    "status": string(["enum": SiteStatus.allCases.map(\.rawValue)]),
                    "version": ["type": "integer", "minimum": 1, "description": "Grows by one with every change."],
                    "pricing": ["oneOf": [OpenAPIDocument.ref("PricingPolicy"), ["type": "null"]]], "license_url": licenseURL,
                    "created_at": time, "updated_at": time,
                ], required: ["id", "name", "hostnames", "status", "version", "pricing", "license_url", "created_at", "updated_at"]),
            "SitePage": page("Site"),
            "SiteRequest": object(
                [
                    "name": name, "hostnames": hostnames, "pricing": ["oneOf": [OpenAPIDocument.ref("PricingPolicy"), ["type": "null"]]],
                    "license_url": licenseURL,
                ],
                required: ["name", "hostnames"]),
            "SiteUpdate": object(["name": name, "hostnames": hostnames, "license_url": licenseURL], required: []),
            "Price": object(
                [
                    "micros": [
                        "type": "integer", "format": "int64", "minimum": 0, "maximum": Int64.max,
                        "description": "Millionths of the currency unit: USD 0.01 is 10000.",
                    ],
                    "currency": currency,
                ], required: ["micros", "currency"]),
            "PricingPolicy": object(
                [
                    "currency": currency,
                    "default_price": ["oneOf": [OpenAPIDocument.ref("Price"), ["type": "null"]], "description": "When nothing more specific applies; absent or null: free."],
                    "purposes": [
                        "type": "object", "propertyNames": ["enum": CrawlPurpose.allCases.map(\.rawValue)],
                        "additionalProperties": OpenAPIDocument.ref("PurposePricing"),
                        "description": "Per crawl purpose: price, free or block.",
                    ],
                    "free_paths": ["type": "array", "items": pathPattern, "description": "Paths never charged or blocked."],
                    "path_rules": array(OpenAPIDocument.ref("PathPriceRule")),
                    "crawler_overrides": array(OpenAPIDocument.ref("CrawlerPriceOverride")),
                    "in_band": ["type": "boolean", "description": "In-band pricing: requests this policy prices reach the origin with `cf-pay-per-crawl: protocol=cloudflare, pricing=in-band`, and a `crawler-price` in the origin's answer replaces the policy's price for that request (`USD 0.00`: free). Absent: false."],
                ], required: ["currency"]),
            "PurposePricing": action([:], required: []),
            "PathPriceRule": action(["pattern": pathPattern], required: ["pattern"]),
            "CrawlerPriceOverride": action(["crawler": text(max: PricingPolicyBody.maxCrawlerLength)], required: ["crawler"]),
            "PriceQuote": object(
                [
                    "result": string(["enum": ["free", "price", "blocked"]]),
                    "price": OpenAPIDocument.ref("Price"),
                    "price_string": string(["description": "The price as the crawler-price header writes it, like USD 0.01."]),
                    "reason": string(),
                    "site_version": ["type": "integer", "minimum": 1],
                ], required: ["result", "site_version"]),
        ]
    }

    static var currency: [String: Any] { ["type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"] }

    /// robots.txt syntax: starts with / or *, no whitespace, control characters or #, % only before two hex digits.
    static var pathPattern: [String: Any] {
        [
            "type": "string", "minLength": 1, "maxLength": PricingPolicyBody.maxPatternLength,
            "pattern": "^[/*](?:[^\\u0000-\\u0020\\u007F#%]|%[0-9A-Fa-f]{2})*$",
        ]
    }

    /// A pricing statement with `fields`: `{"action": "free" | "block"}` or `{"action": "price", "price": {…}}`.
    static func action(_ fields: [String: Any], required: [String]) -> [String: Any] {
        [
            "oneOf": [
                object(fields.merging(["action": string(["enum": ["free", "block"]])]) { $1 }, required: required + ["action"]),
                object(
                    fields.merging(["action": string(["enum": ["price"]]), "price": OpenAPIDocument.ref("Price")]) { $1 },
                    required: required + ["action", "price"]),
            ]
        ]
    }
}
