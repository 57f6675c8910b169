import Foundation

/// Stripe's error body: `{"error": {type, code, decline_code, message, param, …}}`.
struct StripeAPIError: Decodable, Sendable {
    let type: String?
    let code: String?
    let declineCode: String?
    let message: String?
    let param: String?

    var decline: GatewayError.Decline {
        GatewayError.Decline(code: declineCode ?? code, message: message ?? "declined")
    }
}

struct StripeErrorEnvelope: Decodable {
    let error: StripeAPIError
}

enum StripeErrors {
    /// Maps a non-2xx answer onto the shared taxonomy. `secret` is scrubbed from every message we keep: Stripe
    /// echoes part of a wrong key, and nothing of a key may reach logs.
    static func map(_ response: GatewayHTTPResponse, secret: String) -> GatewayError {
        let detail = try? StripeJSON.decoder.decode(StripeErrorEnvelope.self, from: Data(response.body)).error
        let message = redact(detail?.message ?? "no error message", secret: secret)
        switch (response.status, detail?.type) {
        case (429, _): return .rateLimited(retryAfter: response.retryAfter)
        case (500..., _): return .transient("HTTP \(response.status): \(message)")
        case (401, _): return .authentication
        case (403, _): return .permissionDenied
        case (_, "card_error"):
            return .declined(GatewayError.Decline(code: detail?.declineCode ?? detail?.code, message: message))
        case (_, "idempotency_error"): return .idempotencyConflict
        case (404, _): return .notFound
        case (_, "invalid_request_error"):
            return .invalidRequest(code: detail?.code, message: message, field: detail?.param)
        default:
            return .forStatus(response.status, retryAfter: response.retryAfter, message: message)
        }
    }

    static func redact(_ text: String, secret: String) -> String {
        guard !secret.isEmpty else { return text }
        var result = text.replacingOccurrences(of: secret, with: "[redacted]")
        // Stripe's "Invalid API Key provided: sk_test_****abcd" shape: drop any key-like token entirely.
        result = result.split(separator: " ", omittingEmptySubsequences: false).map { word in
            let trimmed = word.trimmingCharacters(in: .punctuationCharacters)
            return ["sk_", "rk_", "pk_", "whsec_"].contains(where: trimmed.hasPrefix) ? "[redacted]" : String(word)
        }.joined(separator: " ")
        return result
    }
}

enum StripeJSON {
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
