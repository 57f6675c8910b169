import Foundation
import HTTPTypes
import TollgateCore

/// `POST /v1/agent/usage`: posts each event once through the ledger (`ChargePostingService` keeps the first outcome
/// of every event id, so a re-sent batch changes nothing and is answered `duplicate: true`). Events for a site the
/// agent's tenant does not own are refused (`unknown_site`) and never reach the ledger. A request key already charged
/// to the account, by this agent or another, is refused as `duplicate_request` (a crawler's retry through another
/// replica). Each posted charge is also added to the agent's allowance on the account, in the ledger's transaction
/// (migration 0009).
struct UsageIngestService: Sendable {
    let charges: ChargePostingService
    let sites: any SiteRepository
    let allowances: any AllowanceRepository

    static let maxEvents = 1_000

    /// The ledger's event id: unique platform-wide, and the same every time the agent re-sends the event.
    static func eventID(agent: UUID, sequence: UInt64) -> String {
        "agent:\(agent.uuidString.lowercased()):\(sequence)"
    }

    func ingest(_ batch: UsageBatch, agent: Agent) async throws -> UsageBatchResult {
        guard batch.events.count <= Self.maxEvents else {
            throw Problem(
                .contentTooLarge, "usage-batch-too-large", title: "Usage batch too large",
                detail: "A usage batch holds at most \(Self.maxEvents) events; this one has \(batch.events.count). Send them in several batches.")
        }
        let owned = try await sites.ownedSiteIDs(tenantID: agent.tenantID, among: Array(Set(batch.events.map(\.siteID))))
        let events = batch.events.filter { owned.contains($0.siteID) }.map { record in
            UsageEvent(
                id: Self.eventID(agent: agent.id, sequence: record.sequence), crawlerAccountID: record.crawlerAccountID,
                siteID: record.siteID, url: record.url, price: record.price, occurredAt: record.occurredAt, agentID: agent.id,
                requestKey: record.requestKey)
        }
        var outcomes = try await charges.post(events).makeIterator()
        var results: [UsageBatchResult.EventResult] = []
        for record in batch.events {
            guard owned.contains(record.siteID), let outcome = outcomes.next() else {
                results.append(.init(sequence: record.sequence, status: .rejected, reason: ChargeOutcome.Reason.unknownSite.rawValue, duplicate: false))
                continue
            }
            results.append(
                .init(
                    sequence: record.sequence, status: outcome.status == .posted ? .posted : .rejected, reason: outcome.reason?.rawValue,
                    duplicate: outcome.duplicate))
        }
        var touched: [UUID] = []
        for record in batch.events where !touched.contains(record.crawlerAccountID) { touched.append(record.crawlerAccountID) }
        let current = try await allowances.allowances(agentID: agent.id, tenantID: agent.tenantID, accountIDs: touched)
        return UsageBatchResult(results: results, allowances: current)
    }
}
