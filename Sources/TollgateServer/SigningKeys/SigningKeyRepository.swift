import Crypto
import Foundation

/// A signing key with its private half, unsealed in memory.
public struct SigningKey: Sendable {
    public let id: String
    public let purpose: SigningKeyPurpose
    public let privateKey: Curve25519.Signing.PrivateKey
    public let createdAt: Date
}

/// A published (public) key and whether it still signs.
public struct PublishedKey: Sendable {
    public let id: String
    public let publicKey: Curve25519.Signing.PublicKey
    public let createdAt: Date
    public let retiredAt: Date?
}

public protocol SigningKeyRepository: Sendable {
    /// The purpose's active key, created on first use.
    func activeKey(_ purpose: SigningKeyPurpose) async throws -> SigningKey
    /// Retires the active key (it keeps verifying) and makes a new one active; `audit` goes to the platform chain.
    func rotate(_ purpose: SigningKeyPurpose, audit: (String) -> AuditRecord) async throws -> SigningKey
    /// Every key of the purpose, active and retired, newest first.
    func publishedKeys(_ purpose: SigningKeyPurpose) async throws -> [PublishedKey]
}
