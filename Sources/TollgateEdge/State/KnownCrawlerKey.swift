import Crypto
import Foundation
import TollgateCore

/// A Web Bot Auth public key the agent accepts, with the crawler it identifies.
public struct KnownCrawlerKey: Sendable {
    public let publicKey: Curve25519.Signing.PublicKey
    public let crawlerID: UUID
    public let notBefore: Date?
    public let expiresAt: Date?

    public func isUsable(at now: Date) -> Bool {
        (notBefore.map { $0 <= now } ?? true) && (expiresAt.map { $0 > now } ?? true)
    }
}
