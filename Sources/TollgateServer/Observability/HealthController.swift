import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Prometheus

/// `/healthz` (the process answers), `/readyz` (PostgreSQL answers and the schema is current), `/metrics`.
struct HealthController {
    let database: Database
    let migrator: Migrator
    let registry: PrometheusCollectorRegistry

    struct Readiness: Encodable {
        let status: String
        let database: String
        let schemaVersion: Int?
        let expectedSchemaVersion: Int
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in try Response.json(["status": "ok"]) }
        router.get("readyz", use: ready)
        router.get("metrics", use: metrics)
    }

    func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        let expected = migrator.migrations.last?.version ?? 0
        do {
            let status = try await withThrowingTaskGroup(of: Migrator.Status.self) { group in
                group.addTask { try await migrator.status(client: database.client, logger: database.logger) }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    throw CancellationError()
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            let current = status.isCurrent
            return try .json(
                Readiness(
                    status: current ? "ready" : "migrations pending", database: "ok", schemaVersion: status.databaseVersion,
                    expectedSchemaVersion: expected),
                status: current ? .ok : .serviceUnavailable)
        } catch {
            context.logger.warning("readiness check failed: \(error)")
            return try .json(
                Readiness(status: "database unreachable", database: "error", schemaVersion: nil, expectedSchemaVersion: expected),
                status: .serviceUnavailable)
        }
    }

    func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
