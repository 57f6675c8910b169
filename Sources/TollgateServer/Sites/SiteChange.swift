import TollgateCore

/// One change to a live site, already validated. Applying it inside the repository's transaction (to the row
/// it has locked) keeps concurrent changes from overwriting each other.
public enum SiteChange: Sendable {
    /// New name, host names and/or license URL; nil leaves the field as it is, and `licenseURL: .some(nil)`
    /// removes the URL.
    case details(name: String?, hostnames: [String]?, licenseURL: String?? = nil)
    /// A new price list, or nil to turn pay-per-crawl off.
    case pricing(PricingPolicy?)
    case archive

    /// The site with the change applied, or nil when the change leaves it exactly as it was (a no-op does not
    /// bump the version, so edge agents are not sent a "new" state identical to the old one).
    public func applied(to site: Site) -> Site? {
        var changed = site
        switch self {
        case .details(let name, let hostnames, let licenseURL):
            if let name { changed.name = name }
            if let hostnames { changed.hostnames = hostnames }
            if let licenseURL { changed.licenseURL = licenseURL }
        case .pricing(let pricing):
            changed.pricing = pricing
        case .archive:
            changed.status = .archived
        }
        return changed == site ? nil : changed
    }
}
