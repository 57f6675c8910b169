import Hummingbird

/// Guards `/app`: only a browser session counts (API keys are for the API), a visitor without one is sent to
/// the sign-in page, and a suspended tenant sees why instead of its data.
struct DashboardAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[Authenticator.sessionCookie]?.value, !token.isEmpty,
            let principal = try await authenticator.sessionPrincipal(token)
        else {
            return .redirect(to: "/login", type: .normal)
        }
        guard principal.tenant.isActive else {
            throw Problem(
                .forbidden, "tenant-suspended", title: "Tenant suspended",
                detail: "The tenant '\(principal.tenant.name)' is suspended; contact support.")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
