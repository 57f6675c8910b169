import Foundation

/// PayPal's error body: `{name, message, debug_id, details:[{field, issue, description}]}`; the OAuth endpoint uses
/// `{error, error_description}` instead.
struct PayPalErrorBody: Decodable {
    struct Detail: Decodable {
        let field: String?
        let issue: String?
        let description: String?
    }
    let name: String?
    let message: String?
    let debug_id: String?
    let details: [Detail]?
    let error: String?
    let error_description: String?
}

enum PayPalErrors {
    /// Issues that mean the buyer's instrument refused the payment (nothing was charged).
    static let declineIssues: Set<String> = [
        "INSTRUMENT_DECLINED", "PAYER_ACCOUNT_RESTRICTED", "PAYER_CANNOT_PAY", "TRANSACTION_REFUSED",
        "PAYEE_BLOCKED_TRANSACTION", "COMPLIANCE_VIOLATION", "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED",
        "CARD_EXPIRED", "PAYMENT_DENIED",
    ]

    static func map(_ response: GatewayHTTPResponse) -> GatewayError {
        let body = try? JSONDecoder().decode(PayPalErrorBody.self, from: Data(response.body))
        let detail = body?.details?.first
        let issue = detail?.issue
        let name = body?.name ?? body?.error
        let message = detail?.description ?? body?.message ?? body?.error_description ?? "HTTP \(response.status)"
        let debug = body?.debug_id.map { " (debug_id \($0))" } ?? ""
        switch response.status {
        case 429: return .rateLimited(retryAfter: response.retryAfter)
        case 500...: return .transient("PayPal HTTP \(response.status) \(name ?? "")\(debug)")
        case 401: return .authentication
        case 403: return .permissionDenied
        case 404: return .notFound
        default: break
        }
        if let issue {
            if declineIssues.contains(issue) { return .declined(.init(code: issue, message: message)) }
            switch issue {
            case "PAYPAL_REQUEST_ID_PREVIOUSLY_USED": return .idempotencyConflict
            case "DUPLICATE_INVOICE_ID": return .duplicateSuspected
            case "PREVIOUS_REQUEST_IN_PROGRESS": return .transient("PayPal is still processing this request id")
            default: break
            }
        }
        if response.status == 409 { return .idempotencyConflict }
        return .invalidRequest(code: issue ?? name, message: message + debug, field: detail?.field)
    }
}
