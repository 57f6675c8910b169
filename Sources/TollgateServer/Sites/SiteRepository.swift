import Foundation

/// Storage of sites. Every method runs in one tenant-scoped transaction; changes and their audit events
/// commit together.
public protocol SiteRepository: Sendable {
    /// Claims the host names platform-wide; throws `SiteError.hostnamesTaken` when any belongs to a live site.
    func create(tenantID: UUID, _ site: NewSite, audit: (Site) -> AuditRecord) async throws -> Site
    /// Newest first; `after` is the last site of the previous page.
    func sites(tenantID: UUID, status: SiteStatusFilter, limit: Int, after: UUID?) async throws -> [Site]
    func site(tenantID: UUID, id: UUID) async throws -> Site?
    /// Which of `ids` are the tenant's sites (live or archived).
    func ownedSiteIDs(tenantID: UUID, among ids: [UUID]) async throws -> Set<UUID>
    /// Applies `change` to the live site, bumping `version` and `updated_at`, and appends `audit(before, after)`.
    /// A change that alters nothing returns the site untouched and writes nothing. Throws `SiteError`.
    func update(tenantID: UUID, id: UUID, _ change: SiteChange, audit: (_ before: Site, _ after: Site) -> AuditRecord) async throws -> Site
}
