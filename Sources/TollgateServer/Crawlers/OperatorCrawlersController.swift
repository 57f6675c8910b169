import Foundation
import Hummingbird
import TollgateCore

/// `/v1/crawler/crawlers…`: a crawler operator registers its crawlers, manages their keys and key directory, and
/// revokes them. Another operator's crawler is answered exactly like a missing one.
struct OperatorCrawlersController {
    let operators: CrawlerOperatorService
    let registry: CrawlerRegistryService
    let crawlers: any CrawlerRepository

    struct RegisterBody: JSONRequestBody {
        let name: String
        let productToken: String
        let userAgent: String
        let contact: String
        let purposes: [String]
        let keyDirectoryURL: String?
        let keys: [UploadedJWK]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, productToken = "product_token", userAgent = "user_agent", contact, purposes
            case keyDirectoryURL = "key_directory_url", keys
        }

        // The identity fields may be left out, but null is refused rather than read as "left out".
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            productToken = try container.decode(String.self, forKey: .productToken)
            userAgent = try container.decode(String.self, forKey: .userAgent)
            contact = try container.decode(String.self, forKey: .contact)
            purposes = try container.decode([String].self, forKey: .purposes)
            keyDirectoryURL = container.contains(.keyDirectoryURL) ? try container.decode(String.self, forKey: .keyDirectoryURL) : nil
            keys = container.contains(.keys) ? try container.decode([UploadedJWK].self, forKey: .keys) : nil
        }
    }

    /// Absent fields stay as they are; `key_directory_url: null` removes the directory, other nulls are refused.
    struct UpdateBody: JSONRequestBody {
        let update: CrawlerRegistryService.Update
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, userAgent = "user_agent", contact, purposes, keyDirectoryURL = "key_directory_url"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            var update = CrawlerRegistryService.Update()
            update.name = container.contains(.name) ? try container.decode(String.self, forKey: .name) : nil
            update.userAgent = container.contains(.userAgent) ? try container.decode(String.self, forKey: .userAgent) : nil
            update.contact = container.contains(.contact) ? try container.decode(String.self, forKey: .contact) : nil
            update.purposes = container.contains(.purposes) ? try container.decode([String].self, forKey: .purposes) : nil
            if container.contains(.keyDirectoryURL) {
                update.keyDirectoryURL = .some(try container.decodeIfPresent(String.self, forKey: .keyDirectoryURL))
            }
            self.update = update
        }
    }

    struct KeyBody: JSONRequestBody {
        let jwk: UploadedJWK
        enum CodingKeys: String, CodingKey, CaseIterable { case jwk }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("crawler/crawlers", use: register)
        group.get("crawler/crawlers", use: list)
        group.get("crawler/crawlers/{id}", use: show)
        group.patch("crawler/crawlers/{id}", use: update)
        group.delete("crawler/crawlers/{id}", use: revoke)
        group.post("crawler/crawlers/{id}/keys", use: addKey)
        group.delete("crawler/crawlers/{id}/keys/{thumbprint}", use: revokeKey)
        group.post("crawler/crawlers/{id}/directory/refresh", use: refresh)
    }

    func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, _) = try await operators.require(request)
        let body = try await request.decodeJSON(RegisterBody.self, context: context)
        let crawler = try await registry.register(
            .init(
                name: body.name, productToken: body.productToken, userAgent: body.userAgent, contact: body.contact,
                purposes: body.purposes, keyDirectoryURL: body.keyDirectoryURL, keys: body.keys ?? []),
            by: owner, caller: Caller(request: request, context: context))
        return try .json(try await CrawlerResponse.load([crawler], from: crawlers)[0], status: .created)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, _) = try await operators.require(request)
        let page = try PageRequest(request)
        let found = try await crawlers.crawlers(operatorID: owner.id, after: try page.cursorID(), limit: page.limit + 1)
        let items = Array(found.prefix(page.limit))
        let next = found.count > page.limit ? items.last?.id.uuidString : nil
        return try .json(Page(items: try await CrawlerResponse.load(items, from: crawlers), nextCursor: next))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, crawler) = try await ownCrawler(request, context)
        return try .json(try await CrawlerResponse.load([crawler], from: crawlers)[0])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, crawler) = try await ownCrawler(request, context)
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        let updated = try await registry.update(crawler, body.update, by: owner, caller: Caller(request: request, context: context))
        return try .json(try await CrawlerResponse.load([updated], from: crawlers)[0])
    }

    func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, crawler) = try await ownCrawler(request, context)
        try await registry.revoke(crawler, by: owner, caller: Caller(request: request, context: context))
        return .noContent()
    }

    func addKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, crawler) = try await ownCrawler(request, context)
        let body = try await request.decodeJSON(KeyBody.self, context: context)
        let key = try await registry.addKey(crawler, body.jwk, by: owner, caller: Caller(request: request, context: context))
        return try .json(CrawlerKeyResponse(key: key, now: Date()), status: .created)
    }

    func revokeKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, crawler) = try await ownCrawler(request, context)
        let thumbprint = try context.parameters.require("thumbprint")
        _ = try await registry.revokeKey(crawler, thumbprint: thumbprint, by: owner, caller: Caller(request: request, context: context))
        return .noContent()
    }

    func refresh(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (owner, crawler) = try await ownCrawler(request, context)
        let refreshed = try await registry.refreshNow(crawler, by: owner, caller: Caller(request: request, context: context))
        return try .json(try await CrawlerResponse.load([refreshed], from: crawlers)[0])
    }

    private func ownCrawler(_ request: Request, _ context: AppRequestContext) async throws -> (CrawlerOperator, Crawler) {
        let (owner, _) = try await operators.require(request)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let crawler = try await crawlers.crawler(id: id), crawler.operatorID == owner.id else {
            throw Problem.notFound("Crawler \(id)")
        }
        return (owner, crawler)
    }
}
