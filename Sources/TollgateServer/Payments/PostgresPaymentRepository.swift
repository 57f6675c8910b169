import Foundation
import Logging
import PostgresNIO
import TollgateCore
import TollgateGateways

/// Payments in PostgreSQL (migrations/0007_payments.sql). All of it is platform data: crawler operators are not
/// tenants, and payouts are read by tenants through row-level security.
public struct PostgresPaymentRepository: PaymentRepository {
    let database: Database
    let sealer: SecretBox

    public init(database: Database, secretKey: [UInt8]) {
        self.database = database
        sealer = SecretBox(secretKey: secretKey, purpose: "gateway-credentials")
    }

    var logger: Logger { database.logger }

    // MARK: gateways

    static let gatewayColumns = "id, name, kind, base_url, credential_names, minimum_top_up_micros, enabled, created_at, updated_at"

    static func gateway(_ row: PostgresRow) throws -> PaymentGatewayConfig {
        let (id, name, kind, baseURL, names, minimum, enabled, created, updated) = try row.decode(
            (UUID, String, String, String, [String], Int64, Bool, Date, Date).self)
        return PaymentGatewayConfig(
            id: id, name: name, kind: GatewayKind(rawValue: kind) ?? .generic, baseURL: baseURL, credentialNames: names,
            minimumTopUpMicros: minimum, enabled: enabled, createdAt: created, updatedAt: updated)
    }

    private func seal(_ credentials: [String: String], id: UUID) throws -> [UInt8] {
        let data = try JSONSerialization.data(withJSONObject: credentials, options: [.sortedKeys])
        return try sealer.seal(Array(data), context: id.uuidString)
    }

    public func createGateway(_ gateway: NewPaymentGateway, audit: AuditRecord) async throws -> PaymentGatewayConfig {
        let id = UUID()
        let sealed = try seal(gateway.credentials, id: id)
        do {
            return try await database.withPlatform { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO payment_gateways (id, name, kind, base_url, sealed_credentials, credential_names, minimum_top_up_micros)
                    VALUES (\(id), \(gateway.name), \(gateway.kind.rawValue), \(gateway.baseURL), \(bytea: sealed),
                            \(gateway.credentials.keys.sorted()), \(gateway.minimumTopUpMicros))
                    RETURNING \(unescaped: Self.gatewayColumns)
                    """, logger: logger)
                guard let row = try await rows.first(where: { _ in true }) else { throw PaymentError.unknownGateway(gateway.name) }
                try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: logger)
                return try Self.gateway(row)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw PaymentError.gatewayNameTaken(gateway.name)
        }
    }

    public func updateGateway(id: UUID, _ changes: PaymentGatewayChanges, audit: AuditRecord) async throws -> PaymentGatewayConfig? {
        let sealed = try changes.credentials.map { try seal($0, id: id) }
        let names = changes.credentials.map { $0.keys.sorted() }
        return try await database.withPlatform { connection in
            let rows = try await connection.query(
                """
                UPDATE payment_gateways SET
                  base_url = coalesce(\(changes.baseURL), base_url),
                  sealed_credentials = coalesce(\(bytea: sealed), sealed_credentials),
                  credential_names = coalesce(\(names), credential_names),
                  minimum_top_up_micros = coalesce(\(changes.minimumTopUpMicros), minimum_top_up_micros),
                  enabled = coalesce(\(changes.enabled), enabled),
                  updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.gatewayColumns)
                """, logger: logger)
            guard let row = try await rows.first(where: { _ in true }) else { return nil }
            try await AuditLog.append(audit, tenantID: AuditLog.platformChain, on: connection, logger: logger)
            return try Self.gateway(row)
        }
    }

    public func gateways() async throws -> [PaymentGatewayConfig] {
        try await database.withPlatform { connection in
            var found: [PaymentGatewayConfig] = []
            for try await row in try await connection.query(
                "SELECT \(unescaped: Self.gatewayColumns) FROM payment_gateways ORDER BY name", logger: logger)
            {
                found.append(try Self.gateway(row))
            }
            return found
        }
    }

    public func gateway(id: UUID) async throws -> PaymentGatewayConfig? {
        try await database.withPlatform { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.gatewayColumns) FROM payment_gateways WHERE id = \(id)", logger: logger)
            return try await rows.first(where: { _ in true }).map(Self.gateway)
        }
    }

    public func gateway(name: String) async throws -> PaymentGatewayConfig? {
        try await database.withPlatform { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.gatewayColumns) FROM payment_gateways WHERE name = \(name)", logger: logger)
            return try await rows.first(where: { _ in true }).map(Self.gateway)
        }
    }

    public func credentials(gatewayID: UUID) async throws -> [String: String] {
        let sealed = try await database.withPlatform { connection in
            try await connection.query("SELECT sealed_credentials FROM payment_gateways WHERE id = \(gatewayID)", logger: logger)
                .decode(ByteBuffer.self).first { _ in true }
        }
        guard let sealed else { throw PaymentError.unknownGateway(gatewayID.uuidString) }
        let plain: [UInt8]
        do {
            plain = try sealer.open(Array(sealed.readableBytesView), context: gatewayID.uuidString)
        } catch {
            throw ConfigurationError(
                "the credentials of payment gateway \(gatewayID) cannot be unsealed: TOLLGATE_SECRET_KEY differs from the one they were stored with; restore that key or enter the credentials again")
        }
        return (try JSONSerialization.jsonObject(with: Data(plain)) as? [String: String]) ?? [:]
    }

    // MARK: customers and payment methods

    public func customer(operatorID: UUID, gatewayID: UUID) async throws -> String? {
        try await database.withPlatform { connection in
            try await connection.query(
                "SELECT vendor_customer_id FROM payment_customers WHERE operator_id = \(operatorID) AND gateway_id = \(gatewayID)",
                logger: logger
            ).decode(String.self).first { _ in true }
        }
    }

    public func saveCustomer(operatorID: UUID, gatewayID: UUID, vendorCustomerID: String) async throws -> String {
        try await database.withPlatform { connection in
            try await connection.query(
                """
                INSERT INTO payment_customers (operator_id, gateway_id, vendor_customer_id) VALUES (\(operatorID), \(gatewayID), \(vendorCustomerID))
                ON CONFLICT (operator_id, gateway_id) DO NOTHING
                """, logger: logger)
            let stored = try await connection.query(
                "SELECT vendor_customer_id FROM payment_customers WHERE operator_id = \(operatorID) AND gateway_id = \(gatewayID)",
                logger: logger
            ).decode(String.self).first { _ in true }
            return stored ?? vendorCustomerID
        }
    }

    static let methodColumns = """
        m.id, m.operator_id, m.gateway_id, g.name, m.vendor_method_id, m.display, m.status, m.expires_month, m.expires_year, m.created_at
        """

    static func method(_ row: PostgresRow) throws -> PaymentMethodRecord {
        let (id, operatorID, gatewayID, gatewayName, vendorID, display, status, month, year, created) = try row.decode(
            (UUID, UUID, UUID, String, String, String, String, Int?, Int?, Date).self)
        return PaymentMethodRecord(
            id: id, operatorID: operatorID, gatewayID: gatewayID, gatewayName: gatewayName, vendorMethodID: vendorID, display: display,
            status: status, expiresMonth: month, expiresYear: year, createdAt: created)
    }

    public func saveMethod(operatorID: UUID, gatewayID: UUID, _ method: StoredMethod) async throws -> PaymentMethodRecord {
        try await database.withPlatform { connection in
            let owner = try await connection.query(
                """
                INSERT INTO payment_methods (operator_id, gateway_id, vendor_method_id, display, status, expires_month, expires_year)
                VALUES (\(operatorID), \(gatewayID), \(method.ref.id), \(method.display), \(method.status.rawValue),
                        \(method.expires?.month), \(method.expires?.year))
                ON CONFLICT (gateway_id, vendor_method_id) DO UPDATE SET
                  display = excluded.display, status = excluded.status, expires_month = excluded.expires_month,
                  expires_year = excluded.expires_year
                  WHERE payment_methods.operator_id = excluded.operator_id
                RETURNING id
                """, logger: logger
            ).decode(UUID.self).first { _ in true }
            guard let id = owner else { throw PaymentError.methodOwnedElsewhere }
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.methodColumns) FROM payment_methods m JOIN payment_gateways g ON g.id = m.gateway_id WHERE m.id = \(id)",
                logger: logger)
            guard let row = try await rows.first(where: { _ in true }) else { throw PaymentError.methodOwnedElsewhere }
            return try Self.method(row)
        }
    }

    public func methods(operatorID: UUID) async throws -> [PaymentMethodRecord] {
        try await database.withPlatform { connection in
            var found: [PaymentMethodRecord] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.methodColumns) FROM payment_methods m JOIN payment_gateways g ON g.id = m.gateway_id
                WHERE m.operator_id = \(operatorID) AND m.status <> 'removed' ORDER BY m.created_at
                """, logger: logger)
            {
                found.append(try Self.method(row))
            }
            return found
        }
    }

    public func method(id: UUID, operatorID: UUID) async throws -> PaymentMethodRecord? {
        try await database.withPlatform { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.methodColumns) FROM payment_methods m JOIN payment_gateways g ON g.id = m.gateway_id
                WHERE m.id = \(id) AND m.operator_id = \(operatorID) AND m.status <> 'removed'
                """, logger: logger)
            return try await rows.first(where: { _ in true }).map(Self.method)
        }
    }

    public func setMethodStatus(id: UUID, status: String) async throws {
        try await database.withPlatform { connection in
            try await connection.query("UPDATE payment_methods SET status = \(status) WHERE id = \(id)", logger: logger)
            if status == "removed" {
                try await connection.query("UPDATE auto_top_ups SET enabled = false, updated_at = now() WHERE payment_method_id = \(id)", logger: logger)
            }
        }
    }

    /// `UPDATE <table>` of one row by id with `assignments` (which carry their own binds), returning `columns` of the
    /// updated row read through the alias `alias` (column lists may be qualified with it).
    static func update(_ table: String, alias: String, id: UUID, _ assignments: PostgresQuery, returning columns: String) -> PostgresQuery {
        var binds = assignments.binds
        binds.append(id)
        return PostgresQuery(
            unsafeSQL: """
                WITH \(alias) AS (UPDATE \(table) SET updated_at = now(), \(assignments.sql) WHERE id = $\(binds.count) RETURNING *)
                SELECT \(columns) FROM \(alias)
                """, binds: binds)
    }
}
