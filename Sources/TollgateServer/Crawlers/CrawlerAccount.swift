import Foundation
import TollgateCore

/// A company that runs crawlers and pays for access; its own kind of principal, not a tenant member.
public struct CrawlerOperator: Sendable, Equatable, Codable {
    public let id: UUID
    public let email: String
    public let name: String
    public let status: String
    public let createdAt: Date
}

/// What pays: one balance in one currency, with optional spending caps per UTC day and calendar month.
public struct CrawlerAccount: Sendable, Equatable, Codable {
    public let id: UUID
    public let operatorID: UUID
    public let name: String
    public let currency: Currency
    public let dailyCap: Money?
    public let monthlyCap: Money?
    public let status: String
    public let createdAt: Date
}

public struct NewCrawlerAccount: Sendable {
    public let name: String
    public let currency: Currency
    public let dailyCap: Money?
    public let monthlyCap: Money?

    public init(name: String, currency: Currency, dailyCap: Money? = nil, monthlyCap: Money? = nil) {
        self.name = name
        self.currency = currency
        self.dailyCap = dailyCap
        self.monthlyCap = monthlyCap
    }
}

public enum CrawlerAccountError: Error, Equatable {
    case emailTaken
    case notFound
}
