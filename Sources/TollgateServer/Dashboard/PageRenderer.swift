import Hummingbird
import Mustache
import NIOCore

/// Renders the dashboard's Mustache templates (loaded once from `web/templates`) into HTML responses.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init(directory: String) async throws {
        do {
            library = try await MustacheLibrary(directory: directory)
        } catch {
            throw ConfigurationError("cannot load the dashboard templates from \(directory): \(error)")
        }
        for name in Self.pages where library.getTemplate(named: name) == nil {
            throw ConfigurationError("the dashboard template '\(name).mustache' is missing from \(directory)")
        }
    }

    /// Every template a handler renders, checked at start-up so a broken install fails fast instead of per request.
    static let pages = ["layout", "signup", "login", "invite", "overview", "team", "api-keys", "audit", "account", "sites", "site", "earnings", "agents", "error"]

    func render(_ template: String, _ view: PageView, status: HTTPResponse.Status = .ok) -> Response {
        // Templates are verified at start-up, so a nil here is a programming error worth surfacing plainly.
        let html = library.render(view, withTemplate: template) ?? "template \(template) failed to render"
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
