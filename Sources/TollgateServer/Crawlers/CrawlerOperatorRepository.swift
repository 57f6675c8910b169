import Foundation
import TollgateCore

/// Crawler operators, their API tokens and their accounts. Platform-level data: no tenant owns it.
public protocol CrawlerOperatorRepository: Sendable {
    /// Throws `CrawlerAccountError.emailTaken` when the email is already registered. `audit` is appended to the
    /// platform chain in the same transaction.
    func createOperator(email: String, name: String, passwordHash: String, audit: (UUID) -> AuditRecord) async throws -> CrawlerOperator
    func credentials(email: String) async throws -> (CrawlerOperator, passwordHash: String)?
    func createToken(operatorID: UUID, tokenHash: [UInt8], expiresAt: Date) async throws
    /// The active operator holding an unexpired, unrevoked token.
    func resolve(tokenHash: [UInt8]) async throws -> CrawlerOperator?
    func revokeToken(tokenHash: [UInt8]) async throws

    func createAccount(operatorID: UUID, _ account: NewCrawlerAccount) async throws -> CrawlerAccount
    func account(id: UUID) async throws -> CrawlerAccount?
    func accounts(operatorID: UUID) async throws -> [CrawlerAccount]
    /// Every account, oldest first; `after` is the last account of the previous page.
    func allAccounts(after: UUID?, limit: Int) async throws -> [CrawlerAccount]
    /// nil caps remove them; throws `CrawlerAccountError.notFound` for an unknown account.
    func setCaps(accountID: UUID, daily: Money?, monthly: Money?) async throws
}
