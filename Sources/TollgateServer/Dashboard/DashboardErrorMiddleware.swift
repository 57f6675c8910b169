import Hummingbird

/// Dashboard pages answer errors with an HTML page in the dashboard's style, not problem+json; anything that is
/// not a `Problem` or an `HTTPError` is left to `ProblemMiddleware`, which logs it and hides the details.
struct DashboardErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return page(for: problem, context: context)
        } catch let error as HTTPError {
            return page(for: ProblemMiddleware<Context>.problem(for: error), context: context)
        }
    }

    private func page(for problem: Problem, context: Context) -> Response {
        struct ErrorPage {
            let status: Int
            let heading: String
            let detail: String
        }
        let view = ErrorPage(status: problem.status.code, heading: problem.title, detail: problem.detail)
        let page =
            if let principal = context.principal {
                PageView(title: problem.title, principal: principal, current: "", page: view)
            } else {
                PageView(title: problem.title, page: view)
            }
        var response = pages.render("error", page, status: problem.status)
        for field in problem.headers where field.name != .contentType { response.headers.append(field) }
        return response
    }
}
