import HTTPTypes
import Hummingbird

/// Resolves the edge agent behind `Authorization: Bearer tga_…` for every `/v1/agent/…` route (except enrollment),
/// and records the contact: the version from `X-Tollgate-Agent-Version` when sent, the peer address, the time.
/// A revoked agent, or one whose tenant is suspended, is refused at once (no cache).
struct AgentAuth: Sendable {
    static let versionHeader = HTTPField.Name("X-Tollgate-Agent-Version")!

    let agents: any AgentRepository
    let tokens: TokenHasher

    func require(_ request: Request, context: AppRequestContext) async throws -> Agent {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer tga_") else {
            throw Problem.unauthenticated("Agent routes need 'Authorization: Bearer <agent credential>' from POST /v1/agent/enroll.")
        }
        let credential = String(header.dropFirst(7))
        guard let candidate = try await agents.candidate(credentialHash: tokens.hash(credential)) else {
            throw Problem.unauthenticated("The agent credential is invalid or was revoked.")
        }
        guard candidate.tenantActive else { throw Problem.unauthenticated("The agent's tenant is suspended.") }
        let version = try request.headers[Self.versionHeader].map { try AgentService.version($0, field: "X-Tollgate-Agent-Version") }
        guard let seen = try await agents.markSeen(
            tenantID: candidate.agent.tenantID, id: candidate.agent.id, version: version, address: context.clientAddress)
        else {
            throw Problem.unauthenticated("The agent credential is invalid or was revoked.")
        }
        return seen
    }
}
