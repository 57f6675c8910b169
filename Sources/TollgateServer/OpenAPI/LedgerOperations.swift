extension OpenAPIDocument {
    /// Crawler operators (`/v1/crawler/…`), tenant earnings, and the platform operator's ledger routes.
    static var ledgerOperations: [Operation] {
        let id = [pathID("id")]
        func window(_ groupings: [StatementGrouping]) -> [[String: Any]] {
            let time: [String: Any] = [
                "type": "string", "description": "A date (2026-11-01, UTC midnight) or an RFC 3339 time",
                "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2}))?$",
            ]
            return [
                ["name": "group_by", "in": "query", "required": false, "schema": ["type": "string", "enum": groupings.map(\.rawValue)]],
                ["name": "from", "in": "query", "required": false, "description": "Start (inclusive); default 30 days before `to`.", "schema": time],
                ["name": "to", "in": "query", "required": false, "description": "End (exclusive); default now.", "schema": time],
            ]
        }
        let idempotencyKey: [String: Any] = [
            "name": "Idempotency-Key", "in": "header", "required": true,
            "description": "Makes a retry safe: the same key and body return the first result.",
            "schema": ["type": "string", "minLength": 1, "maxLength": 200],
        ]
        return [
            Operation(method: "post", path: "/v1/crawler/signup", id: "crawlerSignup", summary: "Register a crawler operator; returns its first bearer token.", tag: "crawlers", auth: .none, body: "CrawlerSignupRequest", success: (201, "CrawlerToken")),
            Operation(method: "post", path: "/v1/crawler/sessions", id: "crawlerLogin", summary: "Sign a crawler operator in; returns a bearer token valid 30 days.", tag: "crawlers", auth: .none, body: "CrawlerLoginRequest", success: (201, "CrawlerToken")),
            Operation(method: "delete", path: "/v1/crawler/sessions/current", id: "crawlerLogout", summary: "Revoke the presented crawler token.", tag: "crawlers", auth: .crawlerOperator, success: (204, nil)),
            Operation(method: "get", path: "/v1/crawler/me", id: "crawlerMe", summary: "The signed-in crawler operator and its accounts with balances.", tag: "crawlers", auth: .crawlerOperator, success: (200, "CrawlerMe")),
            Operation(method: "post", path: "/v1/crawler/accounts", id: "createCrawlerAccount", summary: "Open an account (one currency) that charges are paid from.", tag: "crawlers", auth: .crawlerOperator, body: "CrawlerAccountRequest", success: (201, "CrawlerAccount")),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}", id: "getCrawlerAccount", summary: "One of the operator's accounts with its balance.", tag: "crawlers", auth: .crawlerOperator, parameters: id, success: (200, "CrawlerAccount")),
            Operation(method: "put", path: "/v1/crawler/accounts/{id}/caps", id: "setCrawlerCaps", summary: "Replace the account's spending caps per UTC day and calendar month (null: none).", tag: "crawlers", auth: .crawlerOperator, parameters: id, body: "CrawlerCaps", success: (200, "CrawlerAccount")),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}/statement", id: "crawlerStatement", summary: "What the account spent, by tenant, site or day.", tag: "crawlers", auth: .crawlerOperator, parameters: id + window([.tenant, .site, .day]), success: (200, "Statement")),
            Operation(method: "post", path: "/v1/crawler/accounts/{id}/tokens", id: "issueCrawlToken", summary: "Issue a short-lived crawl token (scoped to tenants/sites or all, with a max price) for clients that cannot sign requests; the token is shown once.", tag: "crawlers", auth: .crawlerOperator, parameters: id, body: "CrawlTokenRequest", success: (201, "CrawlToken")),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}/tokens", id: "listCrawlTokens", summary: "The account's crawl tokens, newest first (without the token strings).", tag: "crawlers", auth: .crawlerOperator, parameters: id + pageParameters(cursor: idCursor), success: (200, "CrawlTokenPage")),
            Operation(method: "delete", path: "/v1/crawler/accounts/{id}/tokens/{token_id}", id: "revokeCrawlToken", summary: "Revoke a crawl token; edges stop accepting it after their next sync.", tag: "crawlers", auth: .crawlerOperator, parameters: id + [pathID("token_id")], success: (204, nil)),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}/charges/{event_id}/receipt", id: "chargeReceipt", summary: "An Ed25519-signed receipt for one posted charge, verifiable offline with GET /v1/keys/receipts.", tag: "crawlers", auth: .crawlerOperator, parameters: id + [["name": "event_id", "in": "path", "required": true, "schema": ["type": "string", "minLength": 1, "maxLength": 200]]], success: (200, "ChargeReceipt")),
            Operation(method: "get", path: "/v1/keys/crawl-tokens", id: "crawlTokenKeys", summary: "The public keys (JWKS) that crawl tokens verify with, active and retired.", tag: "keys", auth: .none, success: (200, "KeySet"), contentType: "application/http-message-signatures-directory+json"),
            Operation(method: "get", path: "/v1/keys/receipts", id: "receiptKeys", summary: "The public keys (JWKS) that charge receipts verify with, active and retired.", tag: "keys", auth: .none, success: (200, "KeySet"), contentType: "application/http-message-signatures-directory+json"),
            Operation(method: "post", path: "/v1/operator/signing-keys/{purpose}/rotate", id: "rotateSigningKey", summary: "Retire the active signing key of a purpose (it keeps verifying) and start a new one (audited).", tag: "operator", auth: .platformOperator, parameters: [["name": "purpose", "in": "path", "required": true, "schema": ["type": "string", "enum": SigningKeyPurpose.allCases.map(\.rawValue)]]], success: (201, "RotatedKey")),
            Operation(method: "get", path: "/v1/earnings", id: "earnings", summary: "What the tenant's sites earned (net of the platform fee), by crawler account, site or day, and the earnings balance.", tag: "ledger", scope: .billingRead, parameters: window([.crawler, .site, .day]), success: (200, "Statement")),
            Operation(method: "get", path: "/v1/operator/crawler-accounts", id: "operatorListCrawlerAccounts", summary: "Every crawler account with its balance, oldest first.", tag: "operator", auth: .platformOperator, parameters: pageParameters(cursor: idCursor), success: (200, "CrawlerAccountPage")),
            Operation(method: "get", path: "/v1/operator/crawler-accounts/{id}", id: "operatorGetCrawlerAccount", summary: "One crawler account with its balance.", tag: "operator", auth: .platformOperator, parameters: id, success: (200, "CrawlerAccount")),
            Operation(method: "post", path: "/v1/operator/crawler-accounts/{id}/credits", id: "operatorCreditCrawlerAccount", summary: "Fund a crawler account by hand (audited); 200 with `replayed` for a repeated Idempotency-Key.", tag: "operator", auth: .platformOperator, parameters: id + [idempotencyKey], body: "ManualPosting", success: (201, "PostingResult")),
            Operation(method: "post", path: "/v1/operator/crawler-accounts/{id}/adjustments", id: "operatorAdjustCrawlerAccount", summary: "Correct a crawler balance up or down (audited); never below its overdraft limit.", tag: "operator", auth: .platformOperator, parameters: id + [idempotencyKey], body: "ManualPosting", success: (201, "PostingResult")),
            Operation(method: "put", path: "/v1/operator/crawler-accounts/{id}/overdraft-limit", id: "operatorSetOverdraftLimit", summary: "How far below zero charges may take the balance (audited).", tag: "operator", auth: .platformOperator, parameters: id, body: "OverdraftLimit", success: (200, "CrawlerAccount")),
        ]
    }
}
