import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every error escaping an API route into problem+json: our `Problem`s as they are, Hummingbird's own
/// `HTTPError`s (404, 405, 413 …) with a matching type, and anything unexpected into a logged 500 that says
/// which request failed without leaking internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as HTTPError {
            let allowed = error.status == .notFound ? routes.methods(for: request.uri.path) : []
            if !allowed.isEmpty {
                var problem = Problem(
                    .methodNotAllowed, "method-not-allowed", title: "Method not allowed",
                    detail: "\(request.method.rawValue) is not supported here; use \(allowed.joined(separator: ", ")).")
                problem.headers[.allow] = allowed.joined(separator: ", ")
                throw problem
            }
            throw Self.problem(for: error)
        } catch is NIOTooManyBytesError {
            throw Self.problem(for: HTTPError(.contentTooLarge))
        } catch is DecodingError {
            throw Problem.malformed("The request body could not be decoded.")
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            throw Problem(
                .internalServerError, "internal-error", title: "Internal error",
                detail: "The server failed to handle this request (request id \(context.id)); it has been logged.")
        }
    }

    static func problem(for error: HTTPError) -> Problem {
        let detail = error.body ?? error.status.reasonPhrase
        var problem: Problem
        switch error.status {
        case .notFound: problem = Problem(.notFound, "not-found", title: "Not found", detail: "No such resource or route.")
        case .methodNotAllowed: problem = Problem(.methodNotAllowed, "method-not-allowed", title: "Method not allowed", detail: detail)
        case .contentTooLarge:
            problem = Problem(.contentTooLarge, "body-too-large", title: "Request body too large", detail: "The request body is larger than the server accepts.")
        default: problem = Problem(error.status, "http-\(error.status.code)", title: error.status.reasonPhrase, detail: detail)
        }
        for field in error.headers { problem.headers.append(field) }
        return problem
    }
}
