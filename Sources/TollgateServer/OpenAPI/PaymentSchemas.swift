import TollgateGateways

extension Schemas {
    /// Gateways, payment methods, top-ups, refunds, payouts.
    static var payments: [String: Any] {
        let money = OpenAPIDocument.ref("Money")
        let positiveMoney: [String: Any] = [
            "allOf": [money, ["properties": ["micros": ["type": "integer", "minimum": 1, "maximum": TopUpService.maximumTopUpMicros]]]],
        ]
        let kinds = GatewayKind.allCases.filter { GatewayCatalog.adapter(for: $0) != nil }.map(\.rawValue)
        let name = string(["pattern": "^[a-z0-9][a-z0-9-]{0,62}$"])
        let url = string(["format": "uri", "minLength": 8, "maxLength": 500, "pattern": "^https?://"])
        let credentials: [String: Any] = ["type": "object", "additionalProperties": ["type": "string", "maxLength": 4096]]
        let minimum: [String: Any] = ["type": "integer", "minimum": 1, "maximum": TopUpService.maximumTopUpMicros]
        let nullableText: [String: Any] = ["type": ["string", "null"]]
        let day = string(["pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"])
        let gateway = object(
            [
                "id": uuid, "name": name, "kind": string(["enum": GatewayKind.allCases.map(\.rawValue)]), "base_url": string(),
                "credential_names": array(string()), "minimum_top_up_micros": minimum, "enabled": ["type": "boolean"],
                "created_at": time, "updated_at": time,
            ],
            required: ["id", "name", "kind", "base_url", "credential_names", "minimum_top_up_micros", "enabled", "created_at", "updated_at"])
        let method = object(
            [
                "id": uuid, "operator_id": uuid, "gateway_id": uuid, "gateway": string(), "vendor_method_id": string(), "display": string(),
                "status": string(["enum": ["active", "expired", "disabled", "removed"]]),
                "expires_month": ["type": ["integer", "null"]], "expires_year": ["type": ["integer", "null"]], "created_at": time,
            ],
            required: ["id", "operator_id", "gateway_id", "gateway", "vendor_method_id", "display", "status", "created_at"])
        let topUp = object(
            [
                "id": uuid, "crawler_account_id": uuid, "payment_method_id": uuid, "reference": string(),
                "source": string(["enum": ["manual", "auto"]]), "amount": money,
                "status": string(["enum": ["pending", "succeeded", "declined", "failed"]]), "failure_code": nullableText,
                "failure_message": nullableText, "refunded": money, "ledger_transaction_id": ["type": ["string", "null"], "format": "uuid"],
                "created_at": time, "updated_at": time,
            ],
            required: ["id", "crawler_account_id", "payment_method_id", "reference", "source", "amount", "status", "refunded", "created_at", "updated_at"])
        let refund = object(
            [
                "id": uuid, "top_up_id": uuid, "reference": string(), "amount": money, "reason": string(),
                "status": string(["enum": ["pending", "succeeded", "failed"]]), "failure_message": nullableText, "created_at": time, "updated_at": time,
            ],
            required: ["id", "top_up_id", "reference", "amount", "reason", "status", "created_at", "updated_at"])
        let autoTopUp = object(
            ["payment_method_id": uuid, "threshold": money, "amount": money, "enabled": ["type": "boolean"], "last_failure": nullableText],
            required: ["payment_method_id", "threshold", "amount", "enabled"])
        let payout = object(
            [
                "id": uuid, "tenant_id": uuid, "period_start": day, "period_end": day, "amount": money, "method": string(["enum": ["manual"]]),
                "reference": string(), "note": string(), "ledger_transaction_id": uuid, "created_at": time,
            ],
            required: ["id", "tenant_id", "period_start", "period_end", "amount", "method", "reference", "note", "ledger_transaction_id", "created_at"])
        return [
            "GatewayRequest": object(
                ["name": name, "kind": string(["enum": kinds]), "base_url": url, "credentials": credentials, "minimum_top_up_micros": minimum],
                required: ["name", "kind", "credentials"]),
            "GatewayUpdate": object(
                ["base_url": url, "credentials": credentials, "minimum_top_up_micros": minimum, "enabled": ["type": "boolean"]], required: []),
            "Gateway": gateway,
            "GatewayList": page("Gateway"),
            "OfferedGateway": object(
                ["name": name, "kind": string(), "minimum_top_up_micros": minimum], required: ["name", "kind", "minimum_top_up_micros"]),
            "OfferedGatewayList": page("OfferedGateway"),
            "PaymentMethodRequest": object(["gateway": name, "token": text(max: 500)], required: ["gateway", "token"]),
            "PaymentMethod": method,
            "PaymentMethodList": page("PaymentMethod"),
            "TopUpRequest": object(["payment_method_id": uuid, "amount": positiveMoney], required: ["payment_method_id", "amount"]),
            "TopUp": topUp,
            "TopUpList": page("TopUp"),
            "AutoTopUpRequest": object(
                ["payment_method_id": uuid, "threshold": money, "amount": positiveMoney, "enabled": ["type": "boolean"]],
                required: ["payment_method_id", "threshold", "amount"]),
            "AutoTopUp": autoTopUp,
            "RefundRequest": object(["amount": positiveMoney, "top_up_id": uuid, "reason": text(max: 500)], required: ["amount"]),
            "Refund": refund,
            "RefundList": page("Refund"),
            "PayoutRequest": object(
                ["tenant_id": uuid, "amount": positiveMoney, "period_start": day, "period_end": day, "reference": text(max: 200), "note": string(["maxLength": 500])],
                required: ["tenant_id", "amount", "period_start", "period_end", "reference"]),
            "Payout": payout,
            "PayoutList": page("Payout"),
            "WebhookReceipt": object(["received": ["type": "integer"], "outcomes": array(string())], required: ["received", "outcomes"]),
        ]
    }
}
