import Foundation
import Logging
import PostgresNIO
import Prometheus

/// `tollgate audit verify`: recomputes every tenant's chain (or one tenant's) and reports each break.
public enum AuditVerification {
    public struct Report: Sendable {
        public let tenantID: UUID
        public let verdict: AuditChain.Verdict
    }

    public static func run(tenantID: UUID?, client: PostgresClient, logger: Logger) async throws -> [Report] {
        let database = Database(client: client, logger: logger, metrics: DatabaseMetrics(registry: PrometheusCollectorRegistry(), maxConnections: 1))
        let repository = PostgresAuditRepository(database: database)
        let tenants = if let tenantID { [tenantID] } else { try await repository.allTenantIDs() }
        var reports: [Report] = []
        for tenant in tenants {
            reports.append(Report(tenantID: tenant, verdict: try await repository.verify(tenantID: tenant)))
        }
        return reports
    }
}
