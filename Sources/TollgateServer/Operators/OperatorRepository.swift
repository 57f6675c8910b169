import Foundation

public struct PlatformOperator: Sendable, Equatable {
    public let id: UUID
    public let email: String

    var auditActor: AuditActor { AuditActor(type: "operator", id: id.uuidString, label: email) }
}

public protocol OperatorRepository: Sendable {
    /// Throws `TenantError.emailTaken` if an operator with that email exists.
    func create(email: String, passwordHash: String) async throws -> PlatformOperator
    func credentials(email: String) async throws -> (PlatformOperator, passwordHash: String)?
    func createSession(operatorID: UUID, tokenHash: [UInt8], expiresAt: Date) async throws
    func resolve(tokenHash: [UInt8]) async throws -> PlatformOperator?
    func revokeSession(tokenHash: [UInt8]) async throws
}
