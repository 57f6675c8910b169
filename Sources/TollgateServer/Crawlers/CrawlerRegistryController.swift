import Foundation
import Hummingbird
import TollgateCore

/// `/v1/crawlers`: the crawler registry as tenants see it, every active crawler whether verified or not, so they
/// can write policies and prices for them.
struct CrawlerRegistryController {
    let crawlers: any CrawlerRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("crawlers", use: list)
        group.get("crawlers/{id}", use: show)
    }

    /// `?verified=true|false` narrows the list; by product token, paginated.
    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.require(.sitesRead)
        let page = try PageRequest(request)
        var verified: Bool?
        if let raw = request.uri.queryParameters["verified"] {
            switch raw {
            case "true": verified = true
            case "false": verified = false
            default: throw Problem.invalid(field: "verified", "must be true or false; leave it out for every crawler")
            }
        }
        let found = try await crawlers.registry(verified: verified, after: try page.cursorID(), limit: page.limit + 1)
        let items = Array(found.prefix(page.limit))
        let next = found.count > page.limit ? items.last?.crawler.id.uuidString : nil
        let now = Date()
        return try .json(Page(items: items.map { RegistryCrawlerResponse($0, now: now) }, nextCursor: next))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.require(.sitesRead)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let entry = try await crawlers.registryEntry(id: id) else { throw Problem.notFound("Crawler \(id)") }
        return try .json(RegistryCrawlerResponse(entry, keys: try await crawlers.keys(crawlerIDs: [id])))
    }
}
