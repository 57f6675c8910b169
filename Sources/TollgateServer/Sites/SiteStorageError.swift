import Foundation

/// A stored site this build cannot read: a newer server wrote it, or the row was edited by hand.
enum SiteStorageError: Error, CustomStringConvertible {
    case unknownStatus(String, site: UUID)
    case unreadablePricing(site: UUID, any Error)

    var description: String {
        switch self {
        case .unknownStatus(let status, let site): "site \(site) has status '\(status)', which this server does not know"
        case .unreadablePricing(let site, let error): "site \(site) has pricing this server cannot decode: \(error)"
        }
    }
}
