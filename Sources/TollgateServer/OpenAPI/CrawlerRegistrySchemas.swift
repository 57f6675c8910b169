import TollgateCore

extension Schemas {
    /// `schema` or null.
    private static func nullable(_ schema: [String: Any]) -> [String: Any] {
        ["oneOf": [schema, ["type": "null"]]]
    }

    /// The crawler registry's bodies; the rules match `CrawlerFields` and `UploadedJWK`.
    static var crawlerRegistry: [String: Any] {
        let purposes: [String: Any] = [
            "type": "array", "items": ["type": "string", "enum": CrawlPurpose.allCases.map(\.rawValue)],
            "minItems": 1, "maxItems": CrawlPurpose.allCases.count, "uniqueItems": true,
        ]
        let productToken = string(["pattern": CrawlerFields.productTokenPattern, "description": "robots.txt product token, e.g. GPTBot"])
        let contact = string([
            "minLength": 3, "maxLength": CrawlerFields.maxContactLength, "description": "An email address or an http(s) URL",
            "pattern": "^(\(Validation.emailPattern.dropFirst().dropLast())|\(CrawlerFields.contactURLPattern.dropFirst().dropLast()))$",
        ])
        let directoryURL = string([
            "maxLength": KeyDirectoryURL.maxLength, "pattern": KeyDirectoryURL.pattern,
            "description": "https URL of a Web Bot Auth key directory on a public host (an origin means its /.well-known/http-message-signatures-directory); plain http only for hosts in TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST",
        ])
        let nullableString: [String: Any] = ["type": ["string", "null"]]
        let key = object(
            [
                "thumbprint": string(["pattern": "^[A-Za-z0-9_-]{43}$"]), "jwk": ["type": "object"],
                "source": string(["enum": CrawlerKey.Source.allCases.map(\.rawValue)]),
                "verified": ["type": "boolean", "description": "Proven by a signed key directory; uploaded keys are only asserted"],
                "status": string(["enum": CrawlerKey.Status.allCases.map(\.rawValue)]), "created_at": time, "not_before": nullableTime,
                "expires_at": nullableTime, "revoked_at": nullableTime, "revoked_reason": nullableString,
            ],
            required: ["thumbprint", "jwk", "source", "verified", "status", "created_at", "not_before", "expires_at", "revoked_at", "revoked_reason"])
        let directory = object(
            [
                "url": string(), "status": string(["enum": CrawlerDirectory.Status.allCases.map(\.rawValue)]),
                "last_fetched_at": nullableTime, "last_checked_at": nullableTime, "next_refresh_at": nullableTime,
                "last_error": nullableString, "consecutive_failures": ["type": "integer", "minimum": 0],
            ],
            required: ["url", "status", "last_fetched_at", "last_checked_at", "next_refresh_at", "last_error", "consecutive_failures"])
        return [
            "JWK": [
                "type": "object",
                "description": "A public Ed25519 JWK (RFC 8037); other members are ignored, private ones (d …) refused, null optional members read as absent.",
                "properties": [
                    "kty": string(["enum": ["OKP"]]), "crv": string(["enum": ["Ed25519"]]),
                    "x": string(["pattern": UploadedJWK.xPattern, "description": "The 32-byte public key, base64url"]),
                    "kid": nullable(string(["maxLength": 200, "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"])),
                    "use": nullable(string(["enum": ["sig"]])), "alg": nullable(string(["enum": UploadedJWK.algorithms.sorted()])),
                    // Members of other key types, typed as RFC 7518 defines them (such keys are refused anyway).
                    "y": nullable(string()), "n": nullable(string()), "e": nullable(string()),
                    "nbf": nullable([
                        "type": "number", "minimum": JWKValidityPeriod.range.lowerBound, "maximum": JWKValidityPeriod.range.upperBound,
                        "description": "Not usable before (seconds since the epoch)",
                    ]),
                    "exp": nullable([
                        "type": "number", "minimum": JWKValidityPeriod.range.lowerBound, "maximum": JWKValidityPeriod.range.upperBound,
                        "description": "Expiry (seconds since the epoch), in the future",
                    ]),
                ],
                "required": ["kty", "crv", "x"],
                "not": ["anyOf": UploadedJWK.privateMembers.map { ["required": [$0]] }],
            ],
            "CrawlerRegistration": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "name": text(max: CrawlerFields.maxNameLength), "product_token": productToken,
                    "user_agent": text(max: CrawlerFields.maxUserAgentLength), "contact": contact, "purposes": purposes,
                    "key_directory_url": directoryURL,
                    "keys": ["type": "array", "items": OpenAPIDocument.ref("JWK"), "maxItems": CrawlerFields.maxKeys, "uniqueItems": true],
                ],
                "required": ["name", "product_token", "user_agent", "contact", "purposes"],
                "anyOf": [["required": ["key_directory_url"]], ["required": ["keys"], "properties": ["keys": ["minItems": 1]]]],
            ],
            "CrawlerUpdate": object(
                [
                    "name": text(max: CrawlerFields.maxNameLength), "user_agent": text(max: CrawlerFields.maxUserAgentLength),
                    "contact": contact, "purposes": purposes,
                    "key_directory_url": directoryURL.merging(["type": ["string", "null"]]) { $1 },
                ], required: []),
            "CrawlerKeyUpload": object(["jwk": OpenAPIDocument.ref("JWK")], required: ["jwk"]),
            "CrawlerKey": key,
            "CrawlerDirectory": directory,
            "Crawler": object(
                [
                    "id": uuid, "operator_id": uuid, "name": string(), "product_token": string(), "user_agent": string(),
                    "contact": string(), "purposes": purposes, "status": string(["enum": Crawler.Status.allCases.map(\.rawValue)]),
                    "verified": ["type": "boolean", "description": "At least one usable key is proven by a signed key directory"],
                    "verified_at": nullableTime, "directory": ["oneOf": [OpenAPIDocument.ref("CrawlerDirectory"), ["type": "null"]]],
                    "keys": array(OpenAPIDocument.ref("CrawlerKey")), "created_at": time, "updated_at": time, "revoked_at": nullableTime,
                ],
                required: [
                    "id", "operator_id", "name", "product_token", "user_agent", "contact", "purposes", "status", "verified", "verified_at",
                    "directory", "keys", "created_at", "updated_at", "revoked_at",
                ]),
            "CrawlerPage": page("Crawler"),
            "RegistryCrawler": object(
                [
                    "id": uuid, "name": string(), "product_token": string(), "user_agent": string(), "contact": string(),
                    "purposes": purposes, "operator": object(["id": uuid, "name": string()], required: ["id", "name"]),
                    "verified": ["type": "boolean"], "verified_at": nullableTime,
                    "key_count": ["type": "integer", "minimum": 0, "description": "Keys usable now, uploaded or proven"],
                    "verified_key_count": ["type": "integer", "minimum": 0, "description": "Usable keys a signed key directory proves"],
                    "key_directory_url": nullableString, "created_at": time,
                    "keys": array(OpenAPIDocument.ref("CrawlerKey")).merging(["description": "Usable and pending keys; only in GET /v1/crawlers/{id}"]) { $1 },
                ],
                required: [
                    "id", "name", "product_token", "user_agent", "contact", "purposes", "operator", "verified", "verified_at", "key_count",
                    "verified_key_count", "key_directory_url", "created_at",
                ]),
            "RegistryCrawlerPage": page("RegistryCrawler"),
        ]
    }
}
