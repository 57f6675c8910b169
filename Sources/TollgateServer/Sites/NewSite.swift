import TollgateCore

/// A validated site to create: trimmed name, normalised host names, a policy that passed validation.
public struct NewSite: Sendable {
    public let name: String
    public let hostnames: [String]
    public let pricing: PricingPolicy?
    public let licenseURL: String?

    public init(name: String, hostnames: [String], pricing: PricingPolicy?, licenseURL: String? = nil) {
        self.name = name
        self.hostnames = hostnames
        self.pricing = pricing
        self.licenseURL = licenseURL
    }
}
