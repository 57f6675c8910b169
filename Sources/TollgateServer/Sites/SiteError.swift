/// Why a site repository refused a change; the service turns these into problems.
public enum SiteError: Error, Equatable {
    /// No such site in the tenant.
    case notFound
    /// The site is archived, and archived sites are read-only.
    case archived
    /// These host names belong to another live site (possibly another tenant's, which is not revealed).
    case hostnamesTaken([String])
}
