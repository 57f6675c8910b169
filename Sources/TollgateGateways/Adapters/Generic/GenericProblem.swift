import Foundation

/// An RFC 9457 problem from a generic backend, with the contract's `code`, `decline_code` and `field` extensions.
struct GenericProblem: Decodable {
    let type: String?
    let title: String?
    let status: Int?
    let detail: String?
    let code: String?
    let declineCode: String?
    let field: String?

    /// Maps a non-2xx answer onto the shared taxonomy. The contract's codes come first; the status decides when a
    /// backend sent no problem body. `secret` is scrubbed from every message we keep.
    static func map(_ response: GatewayHTTPResponse, secret: String) -> GatewayError {
        let problem = try? GenericJSON.decoder.decode(GenericProblem.self, from: Data(response.body))
        var message = problem?.detail ?? problem?.title ?? "no problem details"
        if !secret.isEmpty { message = message.replacingOccurrences(of: secret, with: "[redacted]") }
        switch (response.status, problem?.code) {
        case (429, _), (_, "rate_limited"): return .rateLimited(retryAfter: response.retryAfter)
        case (500..., _), (_, "unavailable"): return .transient("HTTP \(response.status): \(message)")
        // The first request under this key has not finished: retrying with the same key gets its answer.
        case (409, _), (_, "request_in_progress"): return .transient("the first request with this idempotency key is still in progress")
        case (_, "idempotency_key_reused"): return .idempotencyConflict
        case (_, "card_declined"), (402, _):
            return .declined(GatewayError.Decline(code: problem?.declineCode ?? problem?.code, message: message))
        case (401, _), (_, "authentication_failed"): return .authentication
        case (403, _), (_, "permission_denied"): return .permissionDenied
        case (404, _), (_, "not_found"): return .notFound
        case (400, _), (422, _), (_, "invalid_request"):
            return .invalidRequest(code: problem?.code, message: message, field: problem?.field)
        default:
            return .forStatus(response.status, retryAfter: response.retryAfter, message: message)
        }
    }
}

enum GenericJSON {
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// Sorted keys: a retried request must carry the same payload, byte for byte, as the first one.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
