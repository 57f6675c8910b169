import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: every API error the server means to return is one of these, with a stable `type`.
public struct Problem: Error, HTTPResponseError, Sendable {
    public struct FieldError: Codable, Sendable, Equatable {
        public let field: String
        public let message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public static let typeBase = "https://tollgate.dev/problems/"

    public let status: HTTPResponse.Status
    /// Short slug; the `type` URI is `typeBase + slug`. Listed in docs/api.md.
    public let slug: String
    public let title: String
    public let detail: String
    public var errors: [FieldError] = []
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ slug: String, title: String, detail: String, errors: [FieldError] = []) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
    }

    struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let instance: String?
        let errors: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(
            type: Self.typeBase + slug, title: title, status: status.code, detail: detail,
            instance: request.uri.path, errors: errors.isEmpty ? nil : errors)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        let data = try JSONEncoder().encode(body)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Problem {
    public static func malformed(_ detail: String) -> Problem {
        Problem(.badRequest, "malformed-request", title: "Malformed request", detail: detail)
    }

    public static func invalid(_ errors: [FieldError]) -> Problem {
        Problem(.unprocessableContent, "validation-failed", title: "Validation failed",
                detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    public static func invalid(field: String, _ message: String) -> Problem {
        invalid([FieldError(field: field, message: message)])
    }

    public static func unauthenticated(_ detail: String = "Sign in or send 'Authorization: Bearer <API key>'.") -> Problem {
        var problem = Problem(.unauthorized, "unauthenticated", title: "Authentication required", detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"tollgate\""
        return problem
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, "forbidden", title: "Not allowed", detail: detail)
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(.notFound, "not-found", title: "Not found", detail: "\(what) does not exist or is not visible to you.")
    }

    public static func conflict(_ slug: String, _ detail: String) -> Problem {
        Problem(.conflict, slug, title: "Conflict", detail: detail)
    }

    public static func tooManyRequests(retryAfterSeconds: Int, _ detail: String) -> Problem {
        var problem = Problem(.tooManyRequests, "rate-limited", title: "Too many attempts", detail: detail)
        problem.headers[.retryAfter] = String(retryAfterSeconds)
        return problem
    }

    public static let csrf = Problem(
        .forbidden, "csrf-token-invalid", title: "CSRF token missing or wrong",
        detail: "Requests authenticated by the session cookie must send the session's CSRF token in the X-CSRF-Token header.")
}
