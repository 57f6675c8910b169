/// What a `Signature-Agent` dictionary member's URI points at (`;type=`, default `directory`).
public enum SignatureAgentType: String, Sendable, Hashable, Codable, CaseIterable {
    /// The agent's origin (or its full directory URL); keys live at `/.well-known/http-message-signatures-directory`.
    case directory
    /// A JWKS document URL.
    case jwksURI = "jwks_uri"
    /// A Signature Agent Card URL (client-metadata document).
    case cimd
}
