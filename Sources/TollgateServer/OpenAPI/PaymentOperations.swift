extension OpenAPIDocument {
    /// Payment gateways, payment methods, top-ups, refunds, webhooks and payouts.
    static var paymentOperations: [Operation] {
        let id = [pathID("id")]
        let idempotencyKey: [String: Any] = [
            "name": "Idempotency-Key", "in": "header", "required": true,
            "description": "Moves money once: a retry with the same key and body returns the first result.",
            "schema": ["type": "string", "minLength": 1, "maxLength": 200],
        ]
        let gatewayName: [String: Any] = [
            "name": "gateway", "in": "path", "required": true, "description": "The gateway's configured name.",
            "schema": ["type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"],
        ]
        return [
            Operation(method: "post", path: "/v1/operator/gateways", id: "createGateway", summary: "Configure a payment gateway; credentials are stored sealed and never returned (audited).", tag: "payments", auth: .platformOperator, body: "GatewayRequest", success: (201, "Gateway")),
            Operation(method: "get", path: "/v1/operator/gateways", id: "listGateways", summary: "The configured payment gateways (credential names only).", tag: "payments", auth: .platformOperator, success: (200, "GatewayList")),
            Operation(method: "get", path: "/v1/operator/gateways/{id}", id: "getGateway", summary: "One payment gateway (credential names only).", tag: "payments", auth: .platformOperator, parameters: id, success: (200, "Gateway")),
            Operation(method: "patch", path: "/v1/operator/gateways/{id}", id: "updateGateway", summary: "Change a gateway's URL, credentials (replaced whole), minimum top-up or enabled flag (audited).", tag: "payments", auth: .platformOperator, parameters: id, body: "GatewayUpdate", success: (200, "Gateway")),
            Operation(method: "post", path: "/v1/operator/payouts", id: "recordPayout", summary: "Record a payout of a tenant's earnings for the period [period_start, period_end) (a manual transfer made outside Tollgate); debits the earnings balance (audited).", tag: "payments", auth: .platformOperator, body: "PayoutRequest", success: (201, "Payout")),
            Operation(method: "get", path: "/v1/operator/tenants/{id}/payouts", id: "operatorListPayouts", summary: "A tenant's payouts, newest period first.", tag: "payments", auth: .platformOperator, parameters: id, success: (200, "PayoutList")),
            Operation(method: "get", path: "/v1/payouts", id: "listPayouts", summary: "The tenant's payouts, newest period first.", tag: "ledger", scope: .billingRead, success: (200, "PayoutList")),
            Operation(method: "get", path: "/v1/crawler/gateways", id: "offeredGateways", summary: "The payment gateways a crawler operator can pay with.", tag: "payments", auth: .crawlerOperator, success: (200, "OfferedGatewayList")),
            Operation(method: "get", path: "/v1/crawler/payment-methods", id: "listPaymentMethods", summary: "The operator's saved payment methods.", tag: "payments", auth: .crawlerOperator, success: (200, "PaymentMethodList")),
            Operation(method: "post", path: "/v1/crawler/payment-methods", id: "attachPaymentMethod", summary: "Save a payment method from the gateway's client-side flow (a token, never card numbers).", tag: "payments", auth: .crawlerOperator, body: "PaymentMethodRequest", success: (201, "PaymentMethod")),
            Operation(method: "get", path: "/v1/crawler/payment-methods/{id}", id: "getPaymentMethod", summary: "A saved payment method, its status read back from the gateway.", tag: "payments", auth: .crawlerOperator, parameters: id, success: (200, "PaymentMethod")),
            Operation(method: "delete", path: "/v1/crawler/payment-methods/{id}", id: "removePaymentMethod", summary: "Stop using a payment method (automatic top-ups with it stop too).", tag: "payments", auth: .crawlerOperator, parameters: id, success: (204, nil)),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}/top-ups", id: "listTopUps", summary: "The account's top-ups, newest first.", tag: "payments", auth: .crawlerOperator, parameters: id, success: (200, "TopUpList")),
            Operation(method: "post", path: "/v1/crawler/accounts/{id}/top-ups", id: "createTopUp", summary: "Fund the balance with a saved payment method: 201 when paid, 202 while the gateway has not answered (resolved in the background), 402 problem when declined (nothing charged).", tag: "payments", auth: .crawlerOperator, parameters: id + [idempotencyKey], body: "TopUpRequest", success: (201, "TopUp")),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}/top-ups/{top_up_id}", id: "getTopUp", summary: "One top-up.", tag: "payments", auth: .crawlerOperator, parameters: id + [pathID("top_up_id")], success: (200, "TopUp")),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}/auto-top-up", id: "getAutoTopUp", summary: "The account's automatic top-up (404 when none).", tag: "payments", auth: .crawlerOperator, parameters: id, success: (200, "AutoTopUp")),
            Operation(method: "put", path: "/v1/crawler/accounts/{id}/auto-top-up", id: "setAutoTopUp", summary: "Top up by `amount` whenever the balance falls below `threshold`; a decline pauses it until changed.", tag: "payments", auth: .crawlerOperator, parameters: id, body: "AutoTopUpRequest", success: (200, "AutoTopUp")),
            Operation(method: "delete", path: "/v1/crawler/accounts/{id}/auto-top-up", id: "removeAutoTopUp", summary: "Turn automatic top-up off.", tag: "payments", auth: .crawlerOperator, parameters: id, success: (204, nil)),
            Operation(method: "get", path: "/v1/crawler/accounts/{id}/refunds", id: "listRefunds", summary: "The account's refunds, newest first.", tag: "payments", auth: .crawlerOperator, parameters: id, success: (200, "RefundList")),
            Operation(method: "post", path: "/v1/crawler/accounts/{id}/refunds", id: "createRefund", summary: "Refund unused balance to the payment it came from, never more than that payment: 201 refunded, 202 while the gateway confirms.", tag: "payments", auth: .crawlerOperator, parameters: id + [idempotencyKey], body: "RefundRequest", success: (201, "Refund")),
            Operation(method: "post", path: "/v1/webhooks/{gateway}", id: "receiveWebhook", summary: "Deliveries from a payment gateway, verified with its signature scheme and applied once per vendor event id.", tag: "payments", auth: .none, parameters: [gatewayName], body: "AnyObject", success: (200, "WebhookReceipt")),
        ]
    }
}
