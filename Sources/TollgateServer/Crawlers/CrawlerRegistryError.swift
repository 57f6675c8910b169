import Foundation

/// What the crawler repository refuses; the service turns each into a problem that says what to do.
public enum CrawlerRegistryError: Error, Equatable {
    case notFound
    /// The crawler is revoked: it can be read but not changed.
    case revoked
    /// Another crawler (any operator, revoked ones too) has this product token.
    case productTokenTaken
    /// The crawler already has this key.
    case keyExists(thumbprint: String)
    /// The operator revoked this key on this crawler; revocation is final.
    case keyRevoked(thumbprint: String)
    /// Another crawler holds this key unrevoked.
    case keyInUse(thumbprint: String)
    case keyNotFound(thumbprint: String)
    /// The crawler has no key directory to refresh.
    case noDirectory
    /// The crawler's directory URL changed while a fetch of the old one was under way; the result is dropped.
    case directoryChanged
}
