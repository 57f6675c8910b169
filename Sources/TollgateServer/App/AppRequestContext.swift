import Hummingbird
import NIOCore

public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address (no proxy headers are trusted yet).
    public let clientAddress: String
    /// Set by `AuthMiddleware` when the request carries valid credentials.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// API bodies are small JSON documents.
    public var maxUploadSize: Int { 64 * 1024 }

    func requirePrincipal() throws -> Principal {
        guard let principal else { throw Problem.unauthenticated() }
        return principal
    }

    func require(_ permission: Permission) throws -> Principal {
        let principal = try requirePrincipal()
        try principal.require(permission)
        return principal
    }
}
