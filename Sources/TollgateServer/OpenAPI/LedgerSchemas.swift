extension Schemas {
    /// Crawler operators and accounts, the ledger's statements, and the operator's manual postings.
    static var ledger: [String: Any] {
        let currency: [String: Any] = ["type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"]
        let money = OpenAPIDocument.ref("Money")
        let nullableMoney: [String: Any] = ["oneOf": [money, ["type": "null"]]]
        let crawlerOperator = object(
            ["id": uuid, "email": string(), "name": string(), "status": string(["enum": ["active", "suspended"]]), "created_at": time],
            required: ["id", "email", "name", "status", "created_at"])
        let line = object(
            [
                "key": string(), "label": string(), "charges": ["type": "integer", "minimum": 1],
                "gross": money, "fees": money, "net": money,
            ], required: ["key", "label", "charges", "gross", "fees", "net"])
        return [
            "Money": object(
                [
                    "micros": [
                        "type": "integer", "format": "int64", "minimum": Int64.min + 1, "maximum": Int64.max,
                        "description": "Millionths of the currency unit; negative for debits.",
                    ],
                    "currency": currency,
                ], required: ["micros", "currency"], closed: false),
            "CrawlerOperator": crawlerOperator,
            "CrawlerSignupRequest": object(["email": email, "password": password, "name": text(max: 200)], required: ["email", "password", "name"]),
            "CrawlerLoginRequest": object(["email": email, "password": password], required: ["email", "password"]),
            "CrawlerToken": object(
                ["operator": crawlerOperator, "token": string(["pattern": "^tgp_"]), "expires_at": time],
                required: ["operator", "token", "expires_at"]),
            "CrawlerAccount": object(
                [
                    "id": uuid, "operator_id": uuid, "name": string(), "currency": currency, "daily_cap": nullableMoney,
                    "monthly_cap": nullableMoney, "status": string(["enum": ["active", "suspended"]]), "balance": money,
                    "overdraft_limit": money, "available": money, "created_at": time,
                ],
                required: [
                    "id", "operator_id", "name", "currency", "daily_cap", "monthly_cap", "status", "balance", "overdraft_limit",
                    "available", "created_at",
                ]),
            "CrawlerAccountPage": page("CrawlerAccount"),
            "CrawlerMe": object(
                ["operator": crawlerOperator, "accounts": array(OpenAPIDocument.ref("CrawlerAccount"))], required: ["operator", "accounts"]),
            "CrawlerAccountRequest": object(
                ["name": text(max: 200), "currency": currency, "daily_cap": nullableMoney, "monthly_cap": nullableMoney],
                required: ["name", "currency"]),
            "CrawlerCaps": object(["daily_cap": nullableMoney, "monthly_cap": nullableMoney], required: []),
            "Statement": object(
                [
                    "group_by": string(["enum": StatementGrouping.allCases.map(\.rawValue)]), "from": time, "to": time,
                    "lines": array(line), "balances": array(money),
                ], required: ["group_by", "from", "to", "lines"]),
            "CrawlTokenRequest": object(
                [
                    "scope": [
                        "oneOf": [
                            object(["all": ["const": true]], required: ["all"]),
                            object(["tenants": array(uuid), "sites": array(uuid)], required: []),
                        ]
                    ],
                    "max_price": money, "ttl_seconds": ["type": "integer", "minimum": 60, "maximum": 86_400],
                ], required: ["scope", "max_price"]),
            "CrawlToken": object(
                [
                    "id": uuid, "crawler_account_id": uuid, "key_id": string(), "scope": ["type": "object"], "max_price": money,
                    "issued_at": time, "expires_at": time, "status": string(["enum": ["active", "expired", "revoked"]]),
                    "token": string(["pattern": "^tgc1\\."]),
                ], required: ["id", "crawler_account_id", "key_id", "scope", "max_price", "issued_at", "expires_at", "status"]),
            "CrawlTokenPage": page("CrawlToken"),
            "ChargeReceipt": object(
                ["receipt": string(["pattern": "^tgr1\\."]), "key_id": string(), "event_id": string(), "price": money],
                required: ["receipt", "key_id", "event_id", "price"]),
            "KeySet": object(["keys": array(["type": "object"])], required: ["keys"]),
            "RotatedKey": object(
                ["id": string(), "purpose": string(["enum": SigningKeyPurpose.allCases.map(\.rawValue)]), "created_at": time],
                required: ["id", "purpose", "created_at"]),
            "ManualPosting": object(["amount": money, "memo": text(max: 500)], required: ["amount", "memo"]),
            "OverdraftLimit": object(["overdraft_limit": money], required: ["overdraft_limit"]),
            "PostingResult": object(
                ["transaction_id": uuid, "replayed": ["type": "boolean"], "account": OpenAPIDocument.ref("CrawlerAccount")],
                required: ["transaction_id", "replayed", "account"]),
        ]
    }
}
