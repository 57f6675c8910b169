extension GatewayError {
    /// The taxonomy for a non-2xx status when the vendor's body says nothing more specific.
    public static func forStatus(_ status: Int, retryAfter: Duration?, message: String) -> GatewayError {
        switch status {
        case 401: .authentication
        case 403: .permissionDenied
        case 404: .notFound
        case 409: .idempotencyConflict
        case 429: .rateLimited(retryAfter: retryAfter)
        case 500...: .transient("HTTP \(status): \(message)")
        default: .invalidRequest(code: nil, message: "HTTP \(status): \(message)", field: nil)
        }
    }
}
