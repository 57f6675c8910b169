import Foundation
import Hummingbird
import Logging
import TollgateGateways

/// `POST /v1/webhooks/{gateway}`: vendor deliveries, verified on the raw bytes before anything is read, recorded
/// once per vendor event id and applied in the same transaction. Anything not 2xx makes the vendor deliver again.
struct WebhooksController {
    let repository: any PaymentRepository
    let gateways: GatewayDirectory
    let logger: Logger

    struct Received: Encodable {
        let received: Int
        let outcomes: [String]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("webhooks/{gateway}", use: receive)
    }

    func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let name = try context.parameters.require("gateway")
        guard let config = try await repository.gateway(name: name), config.enabled else { throw Problem.notFound("Payment gateway \(name)") }
        let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        let headers = WebhookHeaders(request.headers.map { ($0.name.rawName, $0.value) })
        let verified: VerifiedWebhook
        let events: [GatewayEvent]
        do {
            verified = try await gateways.verifier(config).verify(headers: headers, body: body, url: nil)
            events = try await gateways.gateway(config).events(in: verified, body: body)
        } catch let error as WebhookVerificationError {
            logger.warning("webhook refused", metadata: ["gateway": "\(name)", "reason": "\(error)"])
            throw Problem(.badRequest, "webhook-unverified", title: "Webhook not verified", detail: "\(error)")
        } catch let error as GatewayError {
            throw Problem(.badRequest, "webhook-unreadable", title: "Webhook not understood", detail: error.description)
        }
        let outcomes = try await repository.applyWebhook(gatewayID: config.id, events: events)
        logger.info("webhook applied", metadata: ["gateway": "\(name)", "events": "\(verified.events.map(\.eventID))", "outcomes": "\(outcomes)"])
        return try .json(Received(received: events.count, outcomes: outcomes))
    }
}
