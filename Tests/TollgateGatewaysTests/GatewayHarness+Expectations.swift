import Foundation
import GatewayFakes
import Testing
import TollgateGateways

/// The Swift Testing checks on a `GatewayHarness` run (the harness itself lives in the GatewayFakes target).
extension GatewayHarness {
    /// The fake saw at least one request and would have refused none; `each` adds the vendor's own checks per request.
    func expectCleanRequests(
        sourceLocation: SourceLocation = #_sourceLocation, _ each: (FakeVendorServer.RecordedRequest) -> Void = { _ in }
    ) async throws {
        let requests = try await fake.requests()
        #expect(!requests.isEmpty, sourceLocation: sourceLocation)
        for request in requests {
            #expect(
                request.problems.isEmpty, "\(request.method) \(request.path) \(request.body.prefix(80)): \(request.problems)",
                sourceLocation: sourceLocation)
            each(request)
        }
    }

    /// Every event the fake emitted, verified with the adapter's verifier (each under its own id) and mapped by the
    /// adapter.
    func verifiedEvents(sourceLocation: SourceLocation = #_sourceLocation) async throws -> [GatewayEvent] {
        let verifier = try webhookVerifier()
        var mapped: [GatewayEvent] = []
        for event in try await fake.events() {
            let body = Array(event.body.utf8)
            let verified = try await verifier.verify(headers: event.webhookHeaders, body: body)
            #expect(verified.eventID == event.id, sourceLocation: sourceLocation)
            mapped += try gateway.events(in: verified, body: body)
        }
        return mapped
    }
}

extension FakeVendorServer.Event {
    /// The delivery's headers as the webhook endpoint receives them.
    var webhookHeaders: WebhookHeaders { WebhookHeaders(headers.map { (name: $0.key, value: $0.value) }) }
}

extension FakeVendorServer.RecordedRequest {
    /// The request body as a JSON object.
    func jsonBody(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], sourceLocation: sourceLocation)
    }
}
