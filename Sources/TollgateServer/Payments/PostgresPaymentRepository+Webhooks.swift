import Foundation
import Logging
import PostgresNIO
import TollgateCore
import TollgateGateways

extension PostgresPaymentRepository {
    public func applyWebhook(gatewayID: UUID, events: [GatewayEvent]) async throws -> [String] {
        try await database.withPlatform { connection in
            var outcomes: [String] = []
            for event in events {
                let recorded = try await connection.query(
                    """
                    INSERT INTO webhook_events (gateway_id, event_id, event_type, outcome)
                    VALUES (\(gatewayID), \(event.eventID), \(String(event.type.prefix(200))), 'received')
                    ON CONFLICT DO NOTHING RETURNING event_id
                    """, logger: logger
                ).decode(String.self).first { _ in true }
                guard recorded != nil else {
                    outcomes.append("duplicate")
                    continue
                }
                let outcome = try await Self.apply(event, gatewayID: gatewayID, on: connection, logger: logger)
                try await connection.query(
                    "UPDATE webhook_events SET outcome = \(outcome) WHERE gateway_id = \(gatewayID) AND event_id = \(event.eventID)", logger: logger)
                outcomes.append(outcome)
            }
            return outcomes
        }
    }

    /// Applies one event, forward-only and idempotent, so order and repetition never matter.
    static func apply(_ event: GatewayEvent, gatewayID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> String {
        switch event.kind {
        case .paymentSucceeded, .paymentFailed:
            guard let topUp = try await topUp(
                gatewayID: gatewayID, reference: event.reference, vendorPaymentID: event.payment?.id, lock: true, on: connection, logger: logger)
            else { return "unknown payment" }
            if case .paymentSucceeded = event.kind {
                if let amount = event.amount, amount != topUp.amount {
                    logger.error("gateway reports a different amount for a top-up", metadata: ["top_up": "\(topUp.id)", "reported": "\(amount)"])
                }
                let updated = try await resolve(topUp, .succeeded(paymentID: event.payment?.id), on: connection, logger: logger)
                return "top-up \(updated.id) \(updated.status.rawValue)"
            }
            guard case .paymentFailed(let decline) = event.kind else { return "ignored" }
            let updated = try await resolve(
                topUp, .declined(code: decline?.code, message: decline?.message ?? "the gateway reported the payment as failed"),
                on: connection, logger: logger)
            return "top-up \(updated.id) \(updated.status.rawValue)"
        case .refundSucceeded, .refundFailed:
            guard let refund = try await firstRefund(
                """
                SELECT \(unescaped: refundColumns) FROM refunds r JOIN top_ups t ON t.id = r.top_up_id
                WHERE t.gateway_id = \(gatewayID) AND (r.reference = \(event.reference) OR r.vendor_refund_id = \(event.refundID))
                LIMIT 1 FOR UPDATE OF r
                """, on: connection, logger: logger)
            else { return "unknown refund" }
            let resolution: RefundResolution
            if case .refundFailed(let why) = event.kind {
                resolution = .failed(why)
            } else {
                resolution = .succeeded(refundID: event.refundID)
            }
            let updated = try await resolve(refund, resolution, on: connection, logger: logger)
            return "refund \(updated.id) \(updated.status.rawValue)"
        case .other:
            return "ignored"
        }
    }
}
