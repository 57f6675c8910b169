extension OpenAPIDocument {
    /// The crawler registry: operators' crawlers and keys (`/v1/crawler/crawlers…`) and the tenants' view (`/v1/crawlers`).
    static var crawlerRegistryOperations: [Operation] {
        let id = [pathID("id")]
        let thumbprint: [String: Any] = [
            "name": "thumbprint", "in": "path", "required": true, "description": "The key's RFC 7638 thumbprint (its Web Bot Auth keyid).",
            "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"],
        ]
        let verified: [String: Any] = [
            "name": "verified", "in": "query", "required": false,
            "description": "Only crawlers whose identity a signed key directory proves (true), or only the others (false).",
            "schema": ["type": "string", "enum": ["true", "false"]],
        ]
        return [
            Operation(method: "post", path: "/v1/crawler/crawlers", id: "registerCrawler", summary: "Register a crawler with a key directory URL, uploaded Ed25519 public keys, or both; a directory is fetched by the refresher or POST …/directory/refresh.", tag: "crawlers", auth: .crawlerOperator, body: "CrawlerRegistration", success: (201, "Crawler")),
            Operation(method: "get", path: "/v1/crawler/crawlers", id: "listCrawlers", summary: "The operator's crawlers with their keys, oldest first.", tag: "crawlers", auth: .crawlerOperator, parameters: pageParameters(cursor: idCursor), success: (200, "CrawlerPage")),
            Operation(method: "get", path: "/v1/crawler/crawlers/{id}", id: "getCrawler", summary: "One of the operator's crawlers, revoked ones too, with its directory state and every key.", tag: "crawlers", auth: .crawlerOperator, parameters: id, success: (200, "Crawler")),
            Operation(method: "patch", path: "/v1/crawler/crawlers/{id}", id: "updateCrawler", summary: "Change a crawler's name, user agent, contact, purposes or key directory (null removes it; a new URL drops the old directory's keys).", tag: "crawlers", auth: .crawlerOperator, parameters: id, body: "CrawlerUpdate", success: (200, "Crawler")),
            Operation(method: "delete", path: "/v1/crawler/crawlers/{id}", id: "revokeCrawler", summary: "Revoke a crawler and all its keys; it stays readable and keeps its product token.", tag: "crawlers", auth: .crawlerOperator, parameters: id, success: (204, nil)),
            Operation(method: "post", path: "/v1/crawler/crawlers/{id}/keys", id: "addCrawlerKey", summary: "Upload an Ed25519 public key (OKP JWK, never with d); uploaded keys are asserted, not verified.", tag: "crawlers", auth: .crawlerOperator, parameters: id, body: "CrawlerKeyUpload", success: (201, "CrawlerKey")),
            Operation(method: "delete", path: "/v1/crawler/crawlers/{id}/keys/{thumbprint}", id: "revokeCrawlerKey", summary: "Revoke a key for good, even if the key directory still lists it.", tag: "crawlers", auth: .crawlerOperator, parameters: id + [thumbprint], success: (204, nil)),
            Operation(method: "post", path: "/v1/crawler/crawlers/{id}/directory/refresh", id: "refreshCrawlerDirectory", summary: "Fetch the key directory now and verify its response signature; 502 (key-directory-unreachable, -invalid, -unsigned) when it cannot be used, with nothing changed.", tag: "crawlers", auth: .crawlerOperator, parameters: id, success: (200, "Crawler")),
            Operation(method: "get", path: "/v1/crawlers", id: "listRegistryCrawlers", summary: "The crawler registry: every active crawler, verified or not, by product token.", tag: "crawlers", scope: .sitesRead, parameters: pageParameters(cursor: idCursor) + [verified], success: (200, "RegistryCrawlerPage")),
            Operation(method: "get", path: "/v1/crawlers/{id}", id: "getRegistryCrawler", summary: "One active crawler of the registry with its usable keys.", tag: "crawlers", scope: .sitesRead, parameters: id, success: (200, "RegistryCrawler")),
        ]
    }
}
