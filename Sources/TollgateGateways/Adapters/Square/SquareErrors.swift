/// Square answers failures with `{"errors":[{category, code, detail, field}]}` and a 4xx/5xx status, although its
/// spec declares only 200s (gateways reference §4). A declined card is a 402 with category PAYMENT_METHOD_ERROR,
/// often next to the FAILED payment.
enum SquareErrors {
    static func map(_ response: GatewayHTTPResponse) -> GatewayError {
        let first = SquareJSON.decode(SquareEnvelope.self, from: response.body)?.errors?.first
        let code = first?.code
        let category = first?.category
        let detail = first?.detail ?? code ?? "HTTP \(response.status)"
        if response.status == 429 || category == "RATE_LIMIT_ERROR" {
            return .rateLimited(retryAfter: response.retryAfter)
        }
        if response.status >= 500 {
            return .transient("Square HTTP \(response.status)\(code.map { " \($0)" } ?? "")")
        }
        if code == "IDEMPOTENCY_KEY_REUSED" { return .idempotencyConflict }
        if category == "PAYMENT_METHOD_ERROR" || response.status == 402 {
            return .declined(GatewayError.Decline(code: code, message: detail))
        }
        if category == "AUTHENTICATION_ERROR" || response.status == 401 { return .authentication }
        if response.status == 403 || code == "FORBIDDEN" || code == "INSUFFICIENT_SCOPES" { return .permissionDenied }
        if response.status == 404 || code == "NOT_FOUND" { return .notFound }
        guard let first else { return .forStatus(response.status, retryAfter: response.retryAfter, message: "no Square error body") }
        return .invalidRequest(code: first.code, message: detail, field: first.field)
    }

    /// The decline carried by a FAILED payment (its card errors, else the envelope's errors).
    static func decline(_ payment: SquarePayment, errors: [SquareErrorItem]?) -> GatewayError.Decline {
        let item = payment.cardDetails?.errors?.first ?? errors?.first
        return GatewayError.Decline(code: item?.code, message: item?.detail ?? item?.code ?? "the payment failed")
    }
}
