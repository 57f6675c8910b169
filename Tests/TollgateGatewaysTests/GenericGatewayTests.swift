import AsyncHTTPClient
import Foundation
import GatewayFakes
import NIOCore
import NIOHTTP1
import Testing
import TollgateCore

@testable import TollgateGateways

/// GenericGateway against the generic fake, which validates every request against docs/generic-gateway.openapi.json.
@Suite struct GenericGatewayTests {
    static let apiKey = "gk_test_TollgateGenericApiKey1234"
    /// "whsec_" + base64 of 32 bytes, as Standard Webhooks secrets are.
    static let webhookSecret = "whsec_" + Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

    static let card = "tok_visa"

    /// One fake per test; afterwards every request the fake saw must have been one the contract allows.
    func withGeneric(
        apiKey: String = apiKey, expectClean: Bool = true, _ body: (GatewayHarness<GenericGateway>) async throws -> Void
    ) async throws {
        try await GatewayHarness<GenericGateway>.run(
            vendor: "generic", options: ["api_key": Self.apiKey, "webhook_secret": Self.webhookSecret],
            credentials: ["api_key": apiKey, "webhook_secret": Self.webhookSecret]
        ) { h in
            try await body(h)
            guard expectClean else { return }
            try await h.expectCleanRequests { request in
                if request.method == "POST" {
                    #expect(request.headers["idempotency-key"]?.count == 26)
                    #expect(request.headers["content-type"] == "application/json")
                }
            }
        }
    }

    @Test func createsACustomerAttachesATokenAndReadsItBack() async throws {
        try await withGeneric { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            #expect(customer.id.hasPrefix("cus_"))
            #expect(method.status == .active && method.display == "visa •••• 4242")
            #expect(method.expires?.month == 12 && (method.expires?.year ?? 0) > 2025)
            #expect(try await h.gateway.paymentMethod(method.ref) == method)

            let (_, expired) = try await h.customerAndMethod(token: "tok_expired")
            #expect(expired.status == .expired)

            let customers = try await h.state("customers")
            #expect((customers[0]["metadata"] as? [String: String])?["tollgate_crawler_account"]?.count == 36)
            let recorded = try await h.fake.requests()
            #expect(recorded[1].path == "/v1/customers/\(customer.id)/payment_methods")
            #expect(recorded[1].body == #"{"token":"tok_visa"}"#)
            let missing = await #expect(throws: GatewayError.self) { try await h.gateway.paymentMethod(StoredMethodRef(id: "pm_nope")) }
            #expect(missing == .notFound)
        }
    }

    @Test func chargesTheExactWireAmount() async throws {
        try await withGeneric { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let outcome = try await h.charge(customer, method, micros: 12_340_000)
            #expect(outcome.state == .succeeded && outcome.amount == Money(micros: 12_340_000, currency: .usd))
            let yen = try await h.charge(customer, method, micros: 500_000_000, currency: .jpy)
            #expect(yen.amount == Money(micros: 500_000_000, currency: .jpy))

            let charges = try await h.fake.requests().filter { $0.path == "/v1/charges" }
            #expect(charges[0].headers["authorization"] == "Bearer \(Self.apiKey)")
            #expect(charges[0].body == #"{"amount":{"amount_minor":1234,"currency":"USD"},"customer_id":""# + customer.id
                + #"","description":"Tollgate prepaid top-up","payment_method_id":""# + method.ref.id + #"","reference":"TOPUP0001"}"#)
            #expect(charges[1].body.hasPrefix(#"{"amount":{"amount_minor":500,"currency":"JPY"}"#))
            let stored = try await h.state("charges")
            #expect(stored.map { ($0["amount"] as? [String: Any])?["amount_minor"] as? Int } == [1234, 500])
            #expect(stored.map { $0["reference"] as? String } == ["TOPUP0001", "TOPUP0001"])

            let odd = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 10_001) }
            guard case .invalidAmount = odd else { Issue.record("expected invalidAmount, got \(String(describing: odd))"); return }
            #expect(try await h.fake.requests().count == 4)
        }
    }

    @Test func aDeclineThrowsDeclinedAndCapturesNothing() async throws {
        try await withGeneric { h in
            let (customer, poor) = try await h.customerAndMethod(token: "tok_insufficient_funds")
            let declined = await #expect(throws: GatewayError.self) { try await h.charge(customer, poor, micros: 20_000_000) }
            #expect(declined == .declined(.init(code: "insufficient_funds", message: "The card has insufficient funds.")))

            let (other, visa) = try await h.customerAndMethod(token: Self.card)
            try await h.fake.inject(.decline(match: "POST /v1/charges"))
            let faulted = await #expect(throws: GatewayError.self) { try await h.charge(other, visa, micros: 20_000_000) }
            #expect(faulted == .declined(.init(code: "generic_decline", message: "The card was declined.")))

            let charges = try await h.state("charges")
            #expect(charges.map { $0["status"] as? String } == ["declined", "declined"])
            #expect(try await h.gateway.balance(of: customer) == .zero(.usd))
            #expect(try await h.gateway.balance(of: other) == .zero(.usd))
        }
    }

    @Test func serverErrorsAreTransientRateLimitsCarryRetryAfterAndInFlightIsRetryable() async throws {
        try await withGeneric { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            try await h.fake.inject(.status(503, match: "POST /v1/charges"))
            let unavailable = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 5_000_000) }
            #expect(unavailable == .transient("HTTP 503: injected failure"))

            try await h.fake.inject(.rateLimit(retryAfterSeconds: 9, match: "GET /v1/charges"))
            let limited = await #expect(throws: GatewayError.self) { try await h.gateway.paymentStatus(PaymentRef(id: "ch_x")) }
            #expect(limited == .rateLimited(retryAfter: .seconds(9)))

            // 409 means the first request under the key is still running: retry later, not a conflict.
            try await h.fake.inject(.status(409, match: "POST /v1/charges"))
            let inFlight = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 5_000_000) }
            #expect(inFlight?.isRetryable == true)
            #expect(try await h.state("charges").isEmpty)
        }
    }

    @Test func aLostAnswerIsRetriedWithTheSameKeyWithoutASecondCharge() async throws {
        try await withGeneric { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let key = IdempotencyKey(ledgerKey: "topup-lost", operation: "charge")
            try await h.fake.inject(.dropAfterSuccess(match: "POST /v1/charges"))
            let lost = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 15_000_000, key: key) }
            #expect(lost?.isRetryable == true)

            let retried = try await h.charge(customer, method, micros: 15_000_000, key: key)
            #expect(retried.state == .succeeded && retried.amount == Money(micros: 15_000_000, currency: .usd))
            let charges = try await h.state("charges")
            #expect(charges.count == 1 && charges.first?["id"] as? String == retried.ref.id)

            let conflict = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 16_000_000, key: key) }
            #expect(conflict == .idempotencyConflict)
            #expect(try await h.state("charges").count == 1)
        }
    }

    @Test func refundsPartiallyRefusesMoreThanWasPaidAndTracksTheBalance() async throws {
        try await withGeneric { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let payment = try await h.charge(customer, method, micros: 10_000_000)
            let first = try await h.refund(payment.ref, micros: 4_000_000)
            #expect(first.state == .succeeded && first.amount == Money(micros: 4_000_000, currency: .usd))
            #expect(first.id.hasPrefix("re_"))
            let tooMuch = await #expect(throws: GatewayError.self) { try await h.refund(payment.ref, micros: 6_010_000) }
            guard case .invalidRequest(code: "invalid_request", _, field: "amount.amount_minor") = tooMuch else {
                Issue.record("got \(String(describing: tooMuch))"); return
            }
            let wrongCurrency = await #expect(throws: GatewayError.self) { try await h.refund(payment.ref, micros: 1_000_000, currency: .eur) }
            guard case .invalidRequest(_, _, field: "amount.currency") = wrongCurrency else { Issue.record("got \(String(describing: wrongCurrency))"); return }

            #expect(try await h.gateway.balance(of: customer) == Money(micros: 6_000_000, currency: .usd))
            #expect(try await h.state("refunds").map { ($0["amount"] as? [String: Any])?["amount_minor"] as? Int } == [400])
        }
    }

    @Test func looksUpPaymentStatus() async throws {
        try await withGeneric { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let paid = try await h.charge(customer, method, micros: 3_000_000)
            #expect(try await h.gateway.paymentStatus(paid.ref) == paid)

            let (poorCustomer, poor) = try await h.customerAndMethod(token: "tok_declined")
            _ = await #expect(throws: GatewayError.self) { try await h.charge(poorCustomer, poor, micros: 3_000_000) }
            let declinedID = try await h.state("charges").last?["id"] as! String
            let declined = try await h.gateway.paymentStatus(PaymentRef(id: declinedID))
            #expect(declined.state == .declined(.init(code: "generic_decline", message: "The card was declined.")))
            let unknown = await #expect(throws: GatewayError.self) { try await h.gateway.paymentStatus(PaymentRef(id: "ch_unknown")) }
            #expect(unknown == .notFound)
        }
    }

    @Test func webhooksFromTheFakeVerifyAndMapToEvents() async throws {
        try await withGeneric { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let paid = try await h.charge(customer, method, micros: 7_500_000, reference: "TOPUP75")
            let refund = try await h.refund(paid.ref, micros: 2_500_000, reference: "RF25")
            let (poorCustomer, poor) = try await h.customerAndMethod(token: "tok_declined")
            _ = await #expect(throws: GatewayError.self) { try await h.charge(poorCustomer, poor, micros: 1_000_000, reference: "TOPUPDECLINED1") }

            let mapped = try await h.verifiedEvents()
            #expect(mapped.map(\.type) == ["charge.succeeded", "refund.succeeded", "charge.failed"])
            #expect(mapped[0].kind == .paymentSucceeded && mapped[0].payment == paid.ref)
            #expect(mapped[0].amount == Money(micros: 7_500_000, currency: .usd) && mapped[0].eventID.hasPrefix("msg_"))
            #expect(mapped[0].occurredAt != nil)
            // Our reference travels in every event's data, so a payment whose answer was lost can still be matched.
            #expect(mapped.map(\.reference) == ["TOPUP75", "RF25", "TOPUPDECLINED1"])
            #expect(mapped[1].kind == .refundSucceeded && mapped[1].payment == paid.ref && mapped[1].refundID == refund.id)
            #expect(mapped[1].amount == Money(micros: 2_500_000, currency: .usd))
            #expect(mapped[2].kind == .paymentFailed(.init(code: "generic_decline", message: "The card was declined.")))
            let bodies = try await h.fake.events().map(\.body)
            #expect(bodies[0].contains(#""reference": "TOPUP75""#) && bodies[1].contains(#""reference": "RF25""#))

            let first = try await h.fake.events()[0]
            let verifier = try h.webhookVerifier()
            await #expect(throws: WebhookVerificationError.self) {
                try await verifier.verify(
                    headers: first.webhookHeaders, body: Array(first.body.replacingOccurrences(of: "750", with: "990").utf8))
            }
        }
    }

    @Test func theReferenceIsSentEchoedAndRequiredByTheContract() async throws {
        try await withGeneric(expectClean: false) { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.card)
            let paid = try await h.charge(customer, method, micros: 2_000_000, reference: "TOPUP0042")
            let refund = try await h.refund(paid.ref, micros: 500_000, reference: "REFUND0042")

            // On the wire, in both requests.
            let recorded = try await h.fake.requests()
            let chargeBody = try #require(recorded.first { $0.method == "POST" && $0.path == "/v1/charges" }?.body)
            #expect(chargeBody.hasSuffix(#","reference":"TOPUP0042"}"#))
            let refundBody = try #require(recorded.first { $0.path == "/v1/charges/\(paid.ref.id)/refunds" }?.body)
            #expect(refundBody == #"{"amount":{"amount_minor":50,"currency":"USD"},"reason":"crawler asked","reference":"REFUND0042"}"#)

            // Echoed in the Charge and Refund objects the backend returns (and keeps).
            let charge = try await h.transport.send(GatewayHTTPRequest(
                method: .GET, url: h.settings.baseURL + "/v1/charges/\(paid.ref.id)", headers: ["Authorization": "Bearer \(Self.apiKey)"]))
            let echoed = try GenericJSON.decoder.decode(GenericCharge.self, from: Data(charge.body))
            #expect(echoed.reference == "TOPUP0042" && echoed.id == paid.ref.id)
            let stored = try await h.transport.send(GatewayHTTPRequest(
                method: .GET, url: h.settings.baseURL + "/v1/refunds/\(refund.id)", headers: ["Authorization": "Bearer \(Self.apiKey)"]))
            #expect(try GenericJSON.decoder.decode(GenericRefund.self, from: Data(stored.body)).reference == "REFUND0042")
            #expect(try await h.fake.requests().allSatisfy(\.problems.isEmpty))

            // A reference outside [A-Z0-9]{1,20} never leaves the adapter.
            let before = try await h.fake.requests().count
            for bad in ["topup1", "", String(repeating: "A", count: 21), "TOP-UP"] {
                let refused = await #expect(throws: GatewayError.self) { try await h.charge(customer, method, micros: 1_000_000, reference: bad) }
                guard case .invalidRequest(code: "reference", _, field: "reference") = refused else { Issue.record("got \(String(describing: refused))"); return }
            }
            #expect(try await h.fake.requests().count == before)

            // The contract itself requires it: a charge without one is refused by the backend and recorded as a problem.
            var headers: HTTPHeaders = ["Authorization": "Bearer \(Self.apiKey)", "Content-Type": "application/json", "Idempotency-Key": "no-reference"]
            headers.add(name: "Accept", value: "application/problem+json")
            let missing = try await h.transport.send(GatewayHTTPRequest(
                method: .POST, url: h.settings.baseURL + "/v1/charges", headers: headers,
                body: Array((#"{"amount":{"amount_minor":100,"currency":"USD"},"customer_id":""# + customer.id
                    + #"","payment_method_id":""# + method.ref.id + #""}"#).utf8)))
            #expect(missing.status == 422)
            let problems = try await h.fake.requests().last?.problems ?? []
            #expect(problems.count == 1 && problems[0].contains("'reference' is a required property"))
            #expect(try await h.state("charges").count == 1)
        }
    }

    @Test func anAnswerEchoingAnotherReferenceIsNotTakenAsOurs() throws {
        let body = #"{"id":"ch_1","status":"succeeded","amount":{"amount_minor":100,"currency":"USD"},"reference":"OTHER1","created_at":"2025-01-01T00:00:00Z"}"#
        let charge = try GenericJSON.decoder.decode(GenericCharge.self, from: Data(body.utf8))
        let mismatch = #expect(throws: GatewayError.self) { try GenericGateway.checkEcho(charge.reference, sent: "TOPUP1", object: "charge ch_1") }
        guard case .invalidRequest(code: "unexpected_response", _, field: "reference") = mismatch else { Issue.record("got \(String(describing: mismatch))"); return }
        #expect(throws: Never.self) { try GenericGateway.checkEcho("TOPUP1", sent: "TOPUP1", object: "charge ch_1") }
        #expect(throws: Never.self) { try GenericGateway.checkEcho(nil, sent: "TOPUP1", object: "charge ch_1") }
    }

    @Test func thereIsNoDefaultBaseURL() async throws {
        #expect(GenericGateway.defaultBaseURL.isEmpty)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let transport = GatewayTransport(client: client)
        for url in ["", GenericGateway.defaultBaseURL, "payments.internal", "ftp://payments.internal"] {
            let refused = #expect(throws: GatewayError.self) {
                try GenericGateway(settings: GatewaySettings(baseURL: url, credentials: ["api_key": Self.apiKey]), transport: transport)
            }
            if case .invalidRequest(code: "configuration", _, field: "base_url") = refused {} else {
                Issue.record("\(url): got \(String(describing: refused))")
            }
        }
        #expect(throws: Never.self) {
            try GenericGateway(settings: GatewaySettings(baseURL: "https://pay.internal.test/backend/", credentials: ["api_key": Self.apiKey]), transport: transport)
        }
        try await client.shutdown()
    }

    @Test func credentialsNeverAppearInErrors() async throws {
        let wrong = "gk_test_WrongKeyThatMustNotLeak"
        try await withGeneric(apiKey: wrong, expectClean: false) { h in
            let error = await #expect(throws: GatewayError.self) { try await h.gateway.paymentStatus(PaymentRef(id: "ch_x")) }
            #expect(error == .authentication)
            let text = error.map(\.description) ?? ""
            #expect(!text.isEmpty && !text.contains(wrong))
        }
        let echoed = GatewayHTTPResponse(status: 422, headers: [:], body: Array(
            #"{"type":"about:blank","title":"Invalid","status":422,"code":"invalid_request","detail":"bad key \#(wrong)"}"#.utf8))
        let mappedText = GenericProblem.map(echoed, secret: wrong).description
        #expect(!mappedText.contains(wrong) && mappedText.contains("[redacted]"))

        let badHook = #expect(throws: GatewayError.self) {
            try GenericGateway.webhookVerifier(
                settings: GatewaySettings(baseURL: "", credentials: ["webhook_secret": "whsec_!!notbase64!!"]), transport: GatewayTransport(client: .shared))
        }
        guard case .invalidRequest(_, _, field: "credentials.webhook_secret") = badHook else { Issue.record("got \(String(describing: badHook))"); return }
        let badHookText = badHook.map(\.description) ?? ""
        #expect(!badHookText.contains("notbase64"))
        #expect(GenericGateway.credentialFields.map(\.name) == ["api_key", "webhook_secret"])
    }
}
