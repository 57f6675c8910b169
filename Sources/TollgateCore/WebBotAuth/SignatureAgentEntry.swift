import Foundation

/// One agent named by a `Signature-Agent` header: where its keys can be found.
public struct SignatureAgentEntry: Sendable, Hashable {
    /// The dictionary key (`sig1` in `sig1="https://…"`); nil for the legacy sf-string form.
    public let label: String?
    public let uri: String
    public let type: SignatureAgentType

    /// Checks that `uri` is an absolute https URL with a host, as Cloudflare requires for every form.
    public init(label: String?, uri: String, type: SignatureAgentType = .directory) throws(WebBotAuthError) {
        guard let components = URLComponents(string: uri), components.scheme?.lowercased() == "https",
            let host = components.host, !host.isEmpty
        else { throw WebBotAuthError.invalidSignatureAgent("\"\(uri)\" is not an https URL") }
        self.label = label
        self.uri = uri
        self.type = type
    }

    /// Where to fetch the agent's keys: the JWKS or card URL as given, or for `directory` the well-known directory
    /// of the named origin (the header may already carry the full directory URL; never append the path twice).
    public var keyDirectoryURL: String {
        guard type == .directory, var components = URLComponents(string: uri) else { return uri }
        if components.percentEncodedPath.isEmpty || components.percentEncodedPath == "/" {
            components.percentEncodedPath = KeyDirectory.wellKnownPath
            components.percentEncodedQuery = nil
            components.fragment = nil
            return components.string ?? uri
        }
        return uri
    }
}
