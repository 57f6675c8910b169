import Foundation
import TollgateCore

/// Fetches a crawler's key directory and returns the keys its response signature proves. The HTTP implementation
/// is `HTTPKeyDirectoryFetcher`; the seam keeps the registry's logic independent of the network.
protocol KeyDirectoryFetcher: Sendable {
    func fetch(_ url: KeyDirectoryURL) async throws(KeyDirectoryFetchError) -> FetchedKeyDirectory
}

/// A directory whose response signature verified.
struct FetchedKeyDirectory: Sendable, Equatable {
    struct Key: Sendable, Equatable {
        let thumbprint: String
        let jwk: JSONWebKey
        /// From the JWK's `nbf` / `exp`.
        let validity: JWKValidityPeriod
    }

    let url: String
    let fetchedAt: Date
    /// How long the directory may be used before the next fetch, from Cache-Control and bounded.
    let cacheLifetime: Int
    /// The keys a valid signature proves, in directory order.
    let keys: [Key]
    /// Keys the directory lists without a valid signature of their own, which are ignored, with why.
    let ignored: [String]
}

/// Why a key directory could not be used; each case says what to fix.
enum KeyDirectoryFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stored URL is no longer allowed (the allow-list changed).
    case notAllowed(String)
    /// DNS, connection, TLS or timeout.
    case unreachable(String)
    case redirected(status: Int, location: String?)
    case httpStatus(Int)
    case wrongContentType(String?)
    case tooLarge(limit: Int)
    /// Not a JWKS, or it holds a private key.
    case invalid(String)
    /// No valid response signature by a directory key.
    case unsigned(String)
    /// The fetch was cancelled (shutdown); nothing is known about the directory.
    case cancelled

    enum Kind: String {
        case unreachable, invalid, unsigned
    }

    var kind: Kind {
        switch self {
        case .notAllowed, .unreachable, .redirected, .httpStatus, .cancelled: .unreachable
        case .wrongContentType, .tooLarge, .invalid: .invalid
        case .unsigned: .unsigned
        }
    }

    var description: String {
        switch self {
        case .notAllowed(let reason): "the key directory URL is not allowed: \(reason)"
        case .unreachable(let reason): "the key directory could not be fetched: \(reason)"
        case .redirected(let status, let location):
            "the key directory answered \(status) (a redirect\(location.map { " to \($0)" } ?? "")); register the final URL, redirects are not followed"
        case .httpStatus(let status): "the key directory answered HTTP \(status) instead of 200"
        case .wrongContentType(let type):
            "the key directory was served as \(type ?? "no content type"); serve it as \(KeyDirectory.mediaType)"
        case .tooLarge(let limit): "the key directory is larger than \(limit / 1024) KiB"
        case .invalid(let reason): "the key directory is invalid: \(reason)"
        case .unsigned(let reason): reason
        case .cancelled: "the key directory fetch was cancelled"
        }
    }
}
