import Foundation
import TollgateCore

/// Creating and changing sites: validates names, host names and prices, and audits every change in the same
/// transaction as the change itself.
struct SiteService: Sendable {
    static let maxNameLength = 200

    let sites: any SiteRepository

    func create(
        name rawName: String, hostnames rawHostnames: [String], pricing: PricingPolicy?, licenseURL rawLicenseURL: String? = nil, by principal: Principal,
        caller: Caller
    ) async throws -> Site {
        try principal.require(.sitesWrite)
        let name = try Self.name(rawName)
        let hostnames = try Hostnames.normalize(rawHostnames)
        let licenseURL = try rawLicenseURL.map { try LicenseURL.validate($0) }
        if let pricing { try PricingValidation.check(pricing) }
        do {
            return try await sites.create(
                tenantID: principal.tenant.id, NewSite(name: name, hostnames: hostnames, pricing: pricing, licenseURL: licenseURL),
                audit: { site in
                    var details = [
                        "name": site.name, "hostnames": site.hostnames.joined(separator: " "), "pricing": site.pricing == nil ? "off" : "on",
                    ]
                    if let licenseURL = site.licenseURL { details["license_url"] = licenseURL }
                    return record("site.created", site, principal, caller, details)
                })
        } catch let error as SiteError {
            throw Self.problem(error, site: "The new site")
        }
    }

    /// `licenseURL`: nil leaves it, `.some(nil)` removes it.
    func update(
        id: UUID, name rawName: String?, hostnames rawHostnames: [String]?, licenseURL rawLicenseURL: String?? = nil, by principal: Principal,
        caller: Caller
    ) async throws -> Site {
        try principal.require(.sitesWrite)
        let name = try rawName.map(Self.name)
        let hostnames = try rawHostnames.map { try Hostnames.normalize($0) }
        let licenseURL: String?? = try rawLicenseURL.map { try $0.map { try LicenseURL.validate($0) } }
        return try await change(id, .details(name: name, hostnames: hostnames, licenseURL: licenseURL), by: principal) { before, after in
            var details = ["version": String(after.version)]
            if before.name != after.name { details["name"] = after.name }
            if before.hostnames != after.hostnames { details["hostnames"] = after.hostnames.joined(separator: " ") }
            if before.licenseURL != after.licenseURL { details["license_url"] = after.licenseURL ?? "" }
            return record("site.updated", after, principal, caller, details)
        }
    }

    func archive(id: UUID, by principal: Principal, caller: Caller) async throws -> Site {
        try principal.require(.sitesWrite)
        return try await change(id, .archive, by: principal) { _, after in
            record("site.archived", after, principal, caller, [
                "name": after.name, "hostnames": after.hostnames.joined(separator: " "), "version": String(after.version),
            ])
        }
    }

    func setPricing(id: UUID, _ pricing: PricingPolicy, by principal: Principal, caller: Caller) async throws -> Site {
        try principal.require(.sitesWrite)
        try PricingValidation.check(pricing)
        return try await change(id, .pricing(pricing), by: principal) { before, after in
            var details = ["version": String(after.version), "currency": pricing.currency.code]
            details["default_price"] = pricing.defaultPrice.map(\.description) ?? "free"
            details["previously"] = before.pricing == nil ? "off" : "on"
            return record("site.pricing_changed", after, principal, caller, details)
        }
    }

    func removePricing(id: UUID, by principal: Principal, caller: Caller) async throws -> Site {
        try principal.require(.sitesWrite)
        return try await change(id, .pricing(nil), by: principal) { _, after in
            record("site.pricing_removed", after, principal, caller, ["version": String(after.version)])
        }
    }

    /// What the site's edge agents would answer for this request: nil when pay-per-crawl is off.
    func quote(id: UUID, crawler: String?, purpose: CrawlPurpose, path: String, by principal: Principal) async throws -> (Site, PriceQuote?) {
        try principal.require(.sitesRead)
        guard let site = try await sites.site(tenantID: principal.tenant.id, id: id) else { throw Problem.notFound("Site \(id)") }
        guard let pricing = site.pricing else { return (site, nil) }
        // Stored policies passed validation, so compiling cannot fail short of a corrupted row (a 500, logged).
        return (site, try PriceQuoter(pricing).quote(crawler: crawler, purpose: purpose, path: path))
    }

    private func change(
        _ id: UUID, _ change: SiteChange, by principal: Principal, audit: (_ before: Site, _ after: Site) -> AuditRecord
    ) async throws -> Site {
        do {
            return try await sites.update(tenantID: principal.tenant.id, id: id, change, audit: audit)
        } catch let error as SiteError {
            if case .archive = change, error == .archived {
                throw Problem.conflict("site-archived", "Site \(id) is already archived.")
            }
            throw Self.problem(error, site: "Site \(id)")
        }
    }

    private func record(_ action: String, _ site: Site, _ principal: Principal, _ caller: Caller, _ details: [String: String]) -> AuditRecord {
        AuditRecord(
            action: action, actor: principal.actor, clientAddress: caller.clientAddress, targetType: "site", targetID: site.id.uuidString,
            details: details)
    }

    static func name(_ raw: String) throws -> String {
        // Counted as the OpenAPI schema counts (code points of the string as sent).
        guard raw.unicodeScalars.count <= maxNameLength else { throw Problem.invalid(field: "name", "must be at most \(maxNameLength) characters") }
        return try Validation.text(raw, field: "name", required: true, max: maxNameLength)
    }

    /// `site` names the site in messages ("Site 1F0C…").
    static func problem(_ error: SiteError, site: String) -> Problem {
        switch error {
        case .notFound:
            return Problem.notFound(site)
        case .archived:
            return Problem.conflict("site-archived", "\(site) is archived, and archived sites cannot be changed; create a new site instead.")
        case .hostnamesTaken(let names):
            var problem = Problem.conflict(
                "hostname-taken",
                "\(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") already used by another site. A host name belongs to "
                    + "one live site at a time: remove it from (or archive) the other site first, or ask its owner to.")
            problem.errors = names.map { .init(field: "hostnames", message: "\($0) is already used by another site") }
            return problem
        }
    }
}
