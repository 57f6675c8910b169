import Hummingbird

/// Resolves the platform operator behind `Authorization: Bearer tgo_…` for every `/v1/operator/…` route.
struct OperatorAuth: Sendable {
    let operators: any OperatorRepository
    let tokens: TokenHasher

    /// The operator and the presented token (sign-out revokes it).
    func require(_ request: Request) async throws -> (PlatformOperator, String) {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer tgo_") else {
            throw Problem.unauthenticated("Operator routes need 'Authorization: Bearer <operator token>' from POST /v1/operator/sessions.")
        }
        let token = String(header.dropFirst(7))
        guard let account = try await operators.resolve(tokenHash: tokens.hash(token)) else {
            throw Problem.unauthenticated("The operator token is invalid or expired.")
        }
        return (account, token)
    }
}
