import HTTPTypes
import Hummingbird

/// Resolves the caller for `/v1` routes, refuses suspended tenants, and enforces the CSRF header on
/// cookie-authenticated writes (API keys are not sent by browsers on their own, so they need none).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let principal = try await authenticator.principal(for: request) {
            guard principal.tenant.isActive else {
                throw Problem(
                    .forbidden, "tenant-suspended", title: "Tenant suspended",
                    detail: "The tenant '\(principal.tenant.name)' is suspended; contact support.")
            }
            if case .session(_, let csrf) = principal.credential, ![.get, .head, .options].contains(request.method) {
                guard let presented = request.headers[.csrfToken], presented == csrf else { throw Problem.csrf }
            }
            context.principal = principal
        }
        return try await next(request, context)
    }
}
