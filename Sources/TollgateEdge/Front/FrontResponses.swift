import NIOHTTP1

/// The answers the front end gives on its own, when the upstream or the decision cannot.
enum FrontResponses {
    static var badGateway: EdgeResponse { .text(.badGateway, "upstream unavailable") }
    static var gatewayTimeout: EdgeResponse { .text(.gatewayTimeout, "upstream timed out") }
    /// Pay-per-crawl's error shape (protocols §1.4), so a crawler retries with backoff.
    static var internalError: EdgeResponse {
        .text(.internalServerError, "internal error", headers: ["crawler-error": "InternalError"])
    }
    static var methodNotAllowed: EdgeResponse { .text(.methodNotAllowed, "method not allowed") }

    /// The answer to a request `ClientRequestParser` refused.
    static func malformed(_ error: HTTPMessageError) -> EdgeResponse {
        switch error {
        case .headTooLarge: .text(.requestHeaderFieldsTooLarge, error.explanation)
        case .unsupportedVersion: .text(.httpVersionNotSupported, error.explanation)
        case .unsupportedTransferCoding: .text(.notImplemented, error.explanation)
        default: .text(.badRequest, "bad request: \(error.explanation)")
        }
    }

    static let deciderFailed = DecisionRecord(action: "error", reason: "front.decider_failed")
    static let unsupportedMethod = DecisionRecord(action: "error", reason: "front.unsupported_method")
    /// For a request whose client left before it was decided.
    static let abandoned = DecisionRecord(action: "error", reason: "front.client_closed")
    /// What the log shows for a client that left before its response head (nginx's convention).
    static let clientClosedRequest = HTTPResponseStatus(statusCode: 499, reasonPhrase: "Client Closed Request")
}
