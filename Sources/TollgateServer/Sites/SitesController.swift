import Foundation
import Hummingbird
import TollgateCore

/// `/v1/sites`: a tenant's sites, their host names and their pay-per-crawl prices.
struct SitesController {
    let service: SiteService
    let sites: any SiteRepository

    static let maxQuoteCrawlerLength = 200
    static let maxQuotePathLength = 2048
    /// Purpose names accepted by the quote preview: ours plus the aipref / Content-Signal aliases, lower case.
    static let quotePurposes = CrawlPurpose.allCases.map(\.rawValue) + ["train-ai", "ai-train", "ai-use"]

    struct CreateBody: JSONRequestBody {
        let name: String
        let hostnames: [String]
        let pricing: PricingPolicy?
        let licenseURL: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, hostnames, pricing, licenseURL = "license_url" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            hostnames = try container.decode([String].self, forKey: .hostnames)
            pricing = try container.decodeIfPresent(PricingPolicyBody.self, forKey: .pricing)?.policy
            licenseURL = try container.decodeIfPresent(String.self, forKey: .licenseURL)
        }
    }

    /// Absent fields stay as they are; null is refused rather than read as "leave alone" or "clear", except for
    /// `license_url`, where null removes the URL.
    struct UpdateBody: JSONRequestBody {
        let name: String?
        let hostnames: [String]?
        let licenseURL: String??
        enum CodingKeys: String, CodingKey, CaseIterable { case name, hostnames, licenseURL = "license_url" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = container.contains(.name) ? try container.decode(String.self, forKey: .name) : nil
            hostnames = container.contains(.hostnames) ? try container.decode([String].self, forKey: .hostnames) : nil
            licenseURL = container.contains(.licenseURL) ? .some(try container.decode(String?.self, forKey: .licenseURL)) : nil
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("sites", use: list)
        group.post("sites", use: create)
        group.get("sites/{id}", use: show)
        group.patch("sites/{id}", use: update)
        group.delete("sites/{id}", use: archive)
        group.put("sites/{id}/pricing", use: setPricing)
        group.delete("sites/{id}/pricing", use: removePricing)
        group.get("sites/{id}/pricing/quote", use: quote)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        let page = try PageRequest(request)
        let status = try Self.statusFilter(request)
        let found = try await sites.sites(tenantID: principal.tenant.id, status: status, limit: page.limit + 1, after: try page.cursorID())
        let items = found.prefix(page.limit)
        let next = found.count > page.limit ? items.last?.id.uuidString : nil
        return try .json(Page(items: items.map(SiteResponse.init), nextCursor: next))
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let site = try await service.create(
            name: body.name, hostnames: body.hostnames, pricing: body.pricing, licenseURL: body.licenseURL, by: principal,
            caller: Caller(request: request, context: context))
        return try .json(SiteResponse(site), status: .created)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let site = try await sites.site(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("Site \(id)") }
        return try .json(SiteResponse(site))
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        let site = try await service.update(
            id: id, name: body.name, hostnames: body.hostnames, licenseURL: body.licenseURL, by: principal,
            caller: Caller(request: request, context: context))
        return try .json(SiteResponse(site))
    }

    func archive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let id = try context.parameters.require("id", as: UUID.self)
        return try .json(SiteResponse(try await service.archive(id: id, by: principal, caller: Caller(request: request, context: context))))
    }

    func setPricing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let id = try context.parameters.require("id", as: UUID.self)
        let body: PricingPolicyBody
        do {
            body = try await request.decodeJSON(PricingPolicyBody.self, context: context)
        } catch let problem as Problem where problem.slug == "validation-failed" {
            // The body is the policy itself; name fields as everywhere else (`pricing.path_rules[2].pattern`).
            throw Problem.invalid(problem.errors.map { .init(field: $0.field.isEmpty ? "pricing" : "pricing.\($0.field)", message: $0.message) })
        }
        let site = try await service.setPricing(id: id, body.policy, by: principal, caller: Caller(request: request, context: context))
        return try .json(SiteResponse(site))
    }

    func removePricing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesWrite)
        let id = try context.parameters.require("id", as: UUID.self)
        return try .json(SiteResponse(try await service.removePricing(id: id, by: principal, caller: Caller(request: request, context: context))))
    }

    /// `?crawler=GPTBot&purpose=training&path=/a/b`: all optional (an unidentified client, purpose `other`, `/`).
    func quote(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        let id = try context.parameters.require("id", as: UUID.self)
        let query = request.uri.queryParameters
        let crawler = query["crawler"].map(String.init)
        if let crawler, crawler.isEmpty || crawler.unicodeScalars.count > Self.maxQuoteCrawlerLength {
            throw Problem.invalid(field: "crawler", "must be the crawler's product token (like GPTBot), 1 to \(Self.maxQuoteCrawlerLength) characters; leave it out for an unidentified client")
        }
        var purpose = CrawlPurpose.other
        if let raw = query["purpose"].map(String.init) {
            guard Self.quotePurposes.contains(raw), let parsed = CrawlPurpose(label: raw) else {
                throw Problem.invalid(field: "purpose", "must be one of \(Self.quotePurposes.joined(separator: ", "))")
            }
            purpose = parsed
        }
        let path = query["path"].map(String.init) ?? "/"
        guard path.hasPrefix("/"), path.unicodeScalars.count <= Self.maxQuotePathLength else {
            throw Problem.invalid(field: "path", "must be a request path starting with / (query allowed), at most \(Self.maxQuotePathLength) characters")
        }
        let (site, quote) = try await service.quote(id: id, crawler: crawler, purpose: purpose, path: path, by: principal)
        return try .json(PriceQuoteResponse(quote, site: site))
    }

    static func statusFilter(_ request: Request) throws -> SiteStatusFilter {
        guard let raw = request.uri.queryParameters["status"] else { return .active }
        guard let filter = SiteStatusFilter(rawValue: String(raw)) else {
            throw Problem.invalid(field: "status", "must be one of \(SiteStatusFilter.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return filter
    }
}
