import Foundation
import Hummingbird
import TollgateCore

/// `/app/sites`: the tenant's sites with their prices, a site's page with the everyday pricing settings (currency,
/// default price, free paths) and a quote preview. Path rules, per-purpose prices and crawler overrides are kept as
/// they are and edited through the API.
struct SitesPage {
    let service: SiteService
    let sites: any SiteRepository
    let pages: PageRenderer

    struct SiteRow {
        let id: String
        let name: String
        let hostnames: String
        let status: String
        let pricing: String
        let version: Int64
    }

    struct ListView {
        let sites: [SiteRow]
        let canManage: Bool
    }

    struct QuoteView {
        let result: String
        let detail: String
    }

    struct PurposeOption {
        let value: String
        let selected: Bool
    }

    struct DetailView {
        let site: SiteRow
        let live: Bool
        let canManage: Bool
        let currency: String
        let defaultPrice: String
        let freePaths: String
        let inBand: Bool
        /// nil when the policy has nothing beyond what the form edits.
        let advanced: String?
        let policyJSON: String?
        let purposes: [PurposeOption]
        let quote: QuoteView?
        let quoteCrawler: String
        let quotePath: String
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/sites", use: list)
        router.post("app/sites", use: create)
        router.get("app/sites/{id}", use: show)
        router.post("app/sites/{id}/pricing", use: setPricing)
        router.post("app/sites/{id}/pricing/remove", use: removePricing)
        router.post("app/sites/{id}/archive", use: archive)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        var page = try await listView(principal)
        page.showNotice(from: request)
        return pages.render("sites", page)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, form) = try await FormData.signedIn(request, context: context)
        do {
            let pricing = try Self.policy(form, keeping: nil)
            let site = try await service.create(
                name: form["name"], hostnames: Self.lines(form["hostnames"]), pricing: pricing, by: principal,
                caller: Caller(request: request, context: context))
            return .redirect(to: "/app/sites/\(site.id.uuidString)?done=site-created", type: .normal)
        } catch let problem as Problem where problem.status.code < 500 {
            var page = try await listView(principal)
            page.show(problem, values: form.values("name", "hostnames", "currency", "default_price"))
            page.form.formError = page.form.formError ?? problem.detail
            return pages.render("sites", page, status: problem.status)
        }
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.sitesRead)
        let id = try context.parameters.require("id", as: UUID.self)
        let query = request.uri.queryParameters
        var quote: QuoteView?
        if let path = query["path"].map(String.init), !path.isEmpty {
            let crawler = query["crawler"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let purpose = query["purpose"].flatMap { CrawlPurpose(rawValue: String($0)) } ?? .other
            guard path.hasPrefix("/") else { throw Problem.invalid(field: "path", "must start with /") }
            let (_, result) = try await service.quote(id: id, crawler: crawler, purpose: purpose, path: path, by: principal)
            quote = Self.describe(result)
        }
        var page = try await detailView(
            principal, id: id, quote: quote, quoteCrawler: query["crawler"].map(String.init) ?? "",
            quotePurpose: query["purpose"].map(String.init) ?? "other", quotePath: query["path"].map(String.init) ?? "/")
        page.showNotice(from: request)
        return pages.render("site", page)
    }

    func setPricing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, form) = try await FormData.signedIn(request, context: context)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let site = try await sites.site(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("Site \(id)") }
        do {
            guard let policy = try Self.policy(form, keeping: site.pricing) else {
                throw Problem.invalid(field: "default_price", "enter a price, or turn pay-per-crawl off below")
            }
            _ = try await service.setPricing(id: id, policy, by: principal, caller: Caller(request: request, context: context))
            return .redirect(to: "/app/sites/\(id.uuidString)?done=pricing-saved", type: .normal)
        } catch let problem as Problem where problem.status.code < 500 && problem.status != .notFound {
            var page = try await detailView(principal, id: id, quote: nil)
            page.show(problem, values: form.values("currency", "default_price", "free_paths"))
            page.form.formError = page.form.formError ?? problem.detail
            return pages.render("site", page, status: problem.status)
        }
    }

    func removePricing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, _) = try await FormData.signedIn(request, context: context)
        let id = try context.parameters.require("id", as: UUID.self)
        _ = try await service.removePricing(id: id, by: principal, caller: Caller(request: request, context: context))
        return .redirect(to: "/app/sites/\(id.uuidString)?done=pricing-removed", type: .normal)
    }

    func archive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, _) = try await FormData.signedIn(request, context: context)
        let id = try context.parameters.require("id", as: UUID.self)
        _ = try await service.archive(id: id, by: principal, caller: Caller(request: request, context: context))
        return .redirect(to: "/app/sites?done=site-archived", type: .normal)
    }

    /// The form's currency, default price, free paths and in-band switch over the site's other rules; nil when no price
    /// is entered and the site had no pricing (pay-per-crawl stays off).
    static func policy(_ form: FormData, keeping existing: PricingPolicy?) throws -> PricingPolicy? {
        let amount = form["default_price"].trimmingCharacters(in: .whitespaces)
        let freePaths = lines(form["free_paths"])
        if amount.isEmpty && existing == nil && freePaths.isEmpty { return nil }
        guard let currency = try? Currency(form["currency"].trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw Problem.invalid(field: "currency", "must be a three-letter ISO 4217 code such as USD")
        }
        var policy = existing ?? PricingPolicy(currency: currency)
        policy.currency = currency
        if amount.isEmpty {
            policy.defaultPrice = nil
        } else {
            do {
                policy.defaultPrice = try Money(priceString: "\(currency.code) \(amount)")
            } catch {
                throw Problem.invalid(field: "default_price", "must be an amount like 0.01 (at most 6 decimals)")
            }
        }
        policy.freePaths = freePaths
        policy.inBand = form["in_band"] == "on"
        return policy
    }

    /// One entry per line (commas and spaces also separate), blanks dropped.
    static func lines(_ text: String) -> [String] {
        // Character.isWhitespace covers "\r\n", which browsers send and which is a single Character in Swift.
        text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
    }

    static func summary(_ pricing: PricingPolicy?) -> String {
        guard let pricing else { return "off" }
        var parts = [pricing.defaultPrice.map { (try? $0.priceString()) ?? $0.description } .map { "\($0) per request" } ?? "free by default"]
        if !pricing.pathRules.isEmpty { parts.append("\(pricing.pathRules.count) path rules") }
        if !pricing.purposes.isEmpty { parts.append("\(pricing.purposes.count) purpose prices") }
        if !pricing.crawlerOverrides.isEmpty { parts.append("\(pricing.crawlerOverrides.count) crawler rules") }
        if !pricing.freePaths.isEmpty { parts.append("\(pricing.freePaths.count) free paths") }
        return parts.joined(separator: ", ")
    }

    static func describe(_ quote: PriceQuote?) -> QuoteView {
        guard let quote else { return QuoteView(result: "free", detail: "Pay-per-crawl is off for this site.") }
        switch quote {
        case .free: return QuoteView(result: "free", detail: "The request passes without payment.")
        case .price(let money):
            return QuoteView(result: "price", detail: "402 Payment Required with crawler-price: \((try? money.priceString()) ?? money.description)")
        case .blocked(let reason): return QuoteView(result: "blocked", detail: "403 Forbidden (\(reason))")
        }
    }

    private func row(_ site: Site) -> SiteRow {
        SiteRow(
            id: site.id.uuidString, name: site.name, hostnames: site.hostnames.joined(separator: ", "), status: site.status.rawValue,
            pricing: Self.summary(site.pricing), version: site.version)
    }

    private func listView(_ principal: Principal) async throws -> PageView {
        let all = try await sites.sites(tenantID: principal.tenant.id, status: .active, limit: 200, after: nil)
        let view = ListView(sites: all.map(row), canManage: principal.permissions.contains(.sitesWrite))
        return PageView(title: "Sites", principal: principal, current: "/app/sites", page: view)
    }

    private func detailView(
        _ principal: Principal, id: UUID, quote: QuoteView?, quoteCrawler: String = "", quotePurpose: String = "other",
        quotePath: String = "/"
    ) async throws -> PageView {
        guard let site = try await sites.site(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("Site \(id)") }
        let pricing = site.pricing
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let advanced = pricing.map { policy in
            [
                policy.pathRules.isEmpty ? nil : "\(policy.pathRules.count) path rules",
                policy.purposes.isEmpty ? nil : "\(policy.purposes.count) purpose prices",
                policy.crawlerOverrides.isEmpty ? nil : "\(policy.crawlerOverrides.count) crawler rules",
            ].compactMap { $0 }.joined(separator: ", ")
        }.flatMap { $0.isEmpty ? nil : $0 }
        let view = DetailView(
            site: row(site), live: site.status == .active, canManage: principal.permissions.contains(.sitesWrite),
            currency: pricing?.currency.code ?? "USD",
            // The price string without its currency ("USD 0.01" → "0.01").
            defaultPrice: pricing?.defaultPrice.flatMap { try? $0.priceString() }.map { String($0.drop { $0 != " " }.dropFirst()) } ?? "",
            freePaths: pricing?.freePaths.joined(separator: "\n") ?? "", inBand: pricing?.inBand ?? false, advanced: advanced,
            policyJSON: try pricing.map { String(decoding: try encoder.encode($0), as: UTF8.self) },
            purposes: CrawlPurpose.allCases.map { PurposeOption(value: $0.rawValue, selected: $0.rawValue == quotePurpose) }, quote: quote,
            quoteCrawler: quoteCrawler, quotePath: quotePath)
        return PageView(title: site.name, principal: principal, current: "/app/sites", page: view)
    }
}
