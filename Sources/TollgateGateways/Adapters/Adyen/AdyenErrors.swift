/// Adyen answers failures with `ServiceError {status, errorCode, message, errorType}` (400, 401, 403, 422, 500).
/// A refused payment is not among them: it is a 200 with `resultCode: "Refused"` (see `AdyenGateway.charge`).
enum AdyenErrors {
    static func map(_ response: GatewayHTTPResponse) -> GatewayError {
        let error = AdyenJSON.decode(AdyenServiceError.self, from: response.body)
        let code = error?.errorCode
        let message = error?.message ?? "HTTP \(response.status)"
        switch response.status {
        case 429: return .rateLimited(retryAfter: response.retryAfter)
        case 500...: return .transient("Adyen HTTP \(response.status)\(code.map { " errorCode \($0)" } ?? "")")
        case 401: return .authentication
        case 403: return .permissionDenied
        case 404: return .notFound
        default:
            // 704: a request with this idempotency key is still being processed; retrying later is safe.
            if code == "704" { return .transient("Adyen is still processing a request with this idempotency key") }
            return .invalidRequest(code: code, message: message, field: nil)
        }
    }
}
