import AsyncHTTPClient
import Foundation
import GatewayFakes
import NIOCore
import Testing
import TollgateCore

@testable import TollgateGateways

/// AuthorizeNetGateway against the Authorize.Net fake, which checks every request's element order, required
/// elements, lengths and decimals by hand (the XSD cannot be redistributed) and answers like the JSON API: HTTP 200,
/// a UTF-8 BOM, E00003 for schema violations, E00007 for bad credentials.
@Suite struct AuthorizeNetGatewayTests {
    static let login = "tollgateLogin7Q"
    static let transactionKey = "Tk4x9QzP2mV8sL3d"
    static let signatureKey = String(repeating: "9F3B7C1D", count: 16)

    typealias Harness = GatewayHarness<AuthorizeNetGateway>

    /// A fresh Accept.js-style nonce for a Visa card (the fake accepts each nonce once).
    static func visaNonce() -> String { "tok_visa_\(UUID().uuidString.prefix(8))" }

    /// One fake per test; afterwards every request the fake saw must have been one Authorize.Net accepts.
    func withAuthorizeNet(
        credentials: [String: String] = [:], fakeOptions: [String: String] = [:], expectClean: Bool = true,
        _ body: (Harness) async throws -> Void
    ) async throws {
        let configured = ["api_login_id": Self.login, "transaction_key": Self.transactionKey, "signature_key": Self.signatureKey]
        try await Harness.run(
            vendor: "authorize_net", options: configured.merging(fakeOptions) { $1 }, credentials: configured.merging(credentials) { $1 }
        ) { h in
            try await body(h)
            guard expectClean else { return }
            try await h.expectCleanRequests { request in
                #expect(request.method == "POST" && request.path == "/xml/v1/request.api")
                #expect(request.headers["content-type"] == "application/json")
            }
        }
    }

    /// The `GatewayError` an operation throws, or nil when it succeeds.
    static func failure<T>(_ operation: () async throws -> T) async -> GatewayError? {
        do {
            _ = try await operation()
            return nil
        } catch let error as GatewayError {
            return error
        } catch {
            Issue.record("not a GatewayError: \(error)")
            return nil
        }
    }

    static func isTransient(_ error: GatewayError?) -> Bool {
        if case .transient = error { return true }
        return false
    }

    // MARK: customers and payment methods

    @Test func createsCustomersAttachesAndLooksUpCards() async throws {
        try await withAuthorizeNet { h in
            let account = UUID()
            let request = CreateCustomer(ownerID: account, email: "ops@crawler.example", name: "Example Crawler")
            let customer = try await h.gateway.createCustomer(request, key: IdempotencyKey(ledgerKey: "c1", operation: "customer"))
            // A retry after a lost answer meets E00039 and finds the same profile by merchantCustomerId.
            let again = try await h.gateway.createCustomer(request, key: IdempotencyKey(ledgerKey: "c1", operation: "customer"))
            #expect(again == customer)
            #expect((try await h.fake.state()["customer_profiles"] as? [[String: Any]])?.count == 1)

            let visa = try await h.gateway.attachPaymentMethod(
                AttachPaymentMethod(customer: customer, token: "tok_visa_first"), key: IdempotencyKey(ledgerKey: "m1", operation: "attach"))
            #expect(visa.ref.id.hasPrefix("\(customer.id)/"))
            #expect(visa.display == "Visa •••• 1111")
            #expect(visa.status == .active)
            #expect(visa.expires == DateComponents(year: 2030, month: 12))
            #expect(try await h.gateway.paymentMethod(visa.ref) == visa)

            // The same card again through a fresh nonce: Authorize.Net names the payment profile that has it.
            let sameCard = try await h.gateway.attachPaymentMethod(
                AttachPaymentMethod(customer: customer, token: "tok_visa_second"), key: IdempotencyKey(ledgerKey: "m2", operation: "attach"))
            #expect(sameCard.ref == visa.ref)

            let expired = try await h.gateway.attachPaymentMethod(
                AttachPaymentMethod(customer: customer, token: "tok_expired"), key: IdempotencyKey(ledgerKey: "m3", operation: "attach"))
            #expect(expired.status == .expired)
            #expect(expired.expires == DateComponents(year: 2020, month: 1))
            #expect(expired.ref != visa.ref)

            // Accept.js nonces are single use.
            let reused = await Self.failure {
                try await h.gateway.attachPaymentMethod(
                    AttachPaymentMethod(customer: customer, token: "tok_visa_first"), key: IdempotencyKey(ledgerKey: "m4", operation: "attach"))
            }
            #expect(reused == .invalidRequest(code: "E00114", message: "Invalid OTS Token.", field: "token"))
            #expect(await Self.failure { try await h.gateway.paymentMethod(StoredMethodRef(id: "\(customer.id)/999999")) } == .notFound)

            let create = try await h.bodies("createCustomerPaymentProfileRequest").first ?? ""
            #expect(create.hasPrefix(
                #"{"createCustomerPaymentProfileRequest":{"merchantAuthentication":{"name":"tollgateLogin7Q","transactionKey":"Tk4x9QzP2mV8sL3d"},"refId":""#))
            #expect(create.contains(
                #""paymentProfile":{"payment":{"opaqueData":{"dataDescriptor":"COMMON.ACCEPT.INAPP.PAYMENT","dataValue":"tok_visa_first"}}},"validationMode":"none"}}"#))
            #expect(h.gateway.capabilities == GatewayCapabilities.of(.authorizeNet))
            #expect(!h.gateway.capabilities.contains(.nativeIdempotency))
            #expect(await Self.failure { try await h.gateway.balance(of: customer) } == .unsupported("Authorize.Net keeps no customer balance"))
        }
    }

    // MARK: charges

    @Test func chargesTheExactDecimalAmountInXSDOrder() async throws {
        try await withAuthorizeNet { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.visaNonce())
            let key = IdempotencyKey(ledgerKey: "ledger-entry-1", operation: "charge")
            let outcome = try await h.charge(customer, method, micros: 12_340_000, reference: "TOPUP00012", key: key)
            #expect(outcome.state == .succeeded)
            #expect(outcome.amount == Money(micros: 12_340_000, currency: .usd))

            let body = try await h.bodies("createTransactionRequest").first ?? ""
            let (customerID, methodID) = try AuthorizeNetGateway.split(method.ref, customer: nil)
            #expect(body == """
                {"createTransactionRequest":{"merchantAuthentication":{"name":"tollgateLogin7Q","transactionKey":"Tk4x9QzP2mV8sL3d"},\
                "refId":"\(key.refID)","transactionRequest":{"transactionType":"authCaptureTransaction","amount":"12.34",\
                "currencyCode":"USD","profile":{"customerProfileId":"\(customerID)","paymentProfile":{"paymentProfileId":"\(methodID)"}},\
                "order":{"invoiceNumber":"TOPUP00012","description":"Tollgate prepaid top-up"},\
                "transactionSettings":{"setting":[{"settingName":"duplicateWindow","settingValue":"28800"}]}}}}
                """)
            #expect(key.refID.count == 20)

            let captured = try await h.transactions(type: "authCaptureTransaction")
            #expect(captured.count == 1)
            #expect(captured.first?["amount"] as? String == "12.34")
            #expect(captured.first?["invoice"] as? String == "TOPUP00012")
            #expect(captured.first?["transId"] as? String == outcome.ref.id)

            let status = try await h.gateway.paymentStatus(outcome.ref)
            #expect(status == PaymentOutcome(ref: outcome.ref, state: .succeeded, amount: Money(micros: 12_340_000, currency: .usd)))
            #expect(await Self.failure { try await h.gateway.paymentStatus(PaymentRef(id: "99999999")) } == .notFound)
            // Our own checks come before the wire: sub-cent amounts and bad references never reach Authorize.Net.
            #expect(await Self.failure { try await h.charge(customer, method, micros: 1_005_000) } != nil)
            #expect(await Self.failure { try await h.charge(customer, method, micros: 1_000_000, reference: "top-up 1") }
                == .invalidRequest(code: "reference", message: "a reference is 1–20 characters of A–Z and 0–9", field: "reference"))
            #expect(try await h.transactions().count == 1)
        }
    }

    @Test func aDeclineCapturesNothing() async throws {
        try await withAuthorizeNet { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.visaNonce())
            try await h.fake.inject(.decline(match: "POST /xml/v1/request.api"))
            let declined = await Self.failure { try await h.charge(customer, method, micros: 5_000_000, reference: "TOPUPD1") }
            #expect(declined == .declined(.init(code: "2", message: "This transaction has been declined.")))

            // The sandbox-style declining card, through the same path.
            let (other, declining) = try await h.customerAndMethod(token: "tok_decline_a")
            let magic = await Self.failure { try await h.charge(other, declining, micros: 7_000_000, reference: "TOPUPD2") }
            #expect(magic == .declined(.init(code: "2", message: "This transaction has been declined.")))

            let all = try await h.transactions()
            #expect(all.count == 2)
            #expect(all.allSatisfy { $0["status"] as? String == "declined" })
            let status = try await h.gateway.paymentStatus(PaymentRef(id: all[0]["transId"] as? String ?? ""))
            #expect(status.state == .declined(.init(code: "2", message: "This transaction has been declined.")))
        }
    }

    @Test func serverErrorsAreTransientAndRateLimitsCarryRetryAfter() async throws {
        try await withAuthorizeNet { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.visaNonce())
            try await h.fake.inject(.status(503, match: nil))
            #expect(Self.isTransient(await Self.failure { try await h.charge(customer, method, micros: 5_000_000) }))
            try await h.fake.inject(.rateLimit(retryAfterSeconds: 7, match: nil))
            #expect(await Self.failure { try await h.charge(customer, method, micros: 5_000_000) } == .rateLimited(retryAfter: .seconds(7)))
            #expect(try await h.transactions().isEmpty)
            _ = try await h.charge(customer, method, micros: 5_000_000)
            #expect(try await h.transactions().count == 1)
        }
    }

    @Test func aRetryAfterALostAnswerReturnsTheOriginalChargeInsteadOfChargingTwice() async throws {
        try await withAuthorizeNet { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.visaNonce())
            let key = IdempotencyKey(ledgerKey: "ledger-entry-7", operation: "charge")
            try await h.fake.inject(.dropAfterSuccess(match: "POST /xml/v1/request.api"))
            let lost = await Self.failure { try await h.charge(customer, method, micros: 25_000_000, reference: "TOPUP7", key: key) }
            #expect(Self.isTransient(lost))
            let charged = try await h.transactions(type: "authCaptureTransaction")
            #expect(charged.count == 1)

            // Same key, same reference: Authorize.Net calls it a duplicate (error 11) and the adapter finds the original.
            let retried = try await h.charge(customer, method, micros: 25_000_000, reference: "TOPUP7", key: key)
            #expect(retried.ref.id == charged.first?["transId"] as? String)
            #expect(retried.state == .succeeded)
            #expect(retried.amount == Money(micros: 25_000_000, currency: .usd))
            #expect(try await h.transactions(type: "authCaptureTransaction").count == 1)
            #expect(try await h.bodies("getTransactionListForCustomerRequest").count == 1)

            // A different ledger entry (another reference) is a new charge, not a duplicate.
            let next = try await h.charge(customer, method, micros: 25_000_000, reference: "TOPUP8")
            #expect(next.ref != retried.ref)
            #expect(try await h.transactions(type: "authCaptureTransaction").count == 2)
        }
    }

    // MARK: refunds

    @Test func partialRefundsNeverExceedTheCharge() async throws {
        try await withAuthorizeNet { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.visaNonce())
            let payment = try await h.charge(customer, method, micros: 20_000_000, reference: "TOPUP20")

            // A refund is two calls (read the payment for its profile, then refund): let the read through and lose
            // the refund's answer.
            let key = IdempotencyKey(ledgerKey: "refund-1", operation: "refund")
            try await h.fake.inject(.delayAfterSuccess(seconds: 0, match: "POST /xml/v1/request.api"))
            try await h.fake.inject(.dropAfterSuccess(match: "POST /xml/v1/request.api"))
            let lost = await Self.failure { try await h.refund(payment.ref, micros: 5_000_000, reference: "REFUND1", key: key) }
            #expect(Self.isTransient(lost))
            let refunded = try await h.transactions(type: "refundTransaction")
            #expect(refunded.count == 1)
            let first = try await h.refund(payment.ref, micros: 5_000_000, reference: "REFUND1", key: key)
            #expect(first.id == refunded.first?["transId"] as? String)
            #expect(first.state == .succeeded)
            #expect(first.amount == Money(micros: 5_000_000, currency: .usd))
            #expect(try await h.transactions(type: "refundTransaction").count == 1)

            let refund = try await h.bodies("createTransactionRequest").first { $0.contains("refundTransaction") } ?? ""
            let (customerID, methodID) = try AuthorizeNetGateway.split(method.ref, customer: nil)
            #expect(refund.contains("""
                "transactionRequest":{"transactionType":"refundTransaction","amount":"5.00",\
                "profile":{"customerProfileId":"\(customerID)","paymentProfile":{"paymentProfileId":"\(methodID)"}},\
                "refTransId":"\(payment.ref.id)","order":{"invoiceNumber":"REFUND1","description":"crawler asked"},
                """))

            let over = await Self.failure { try await h.refund(payment.ref, micros: 15_010_000, reference: "REFUND2") }
            #expect(over == .invalidRequest(
                code: "55", message: "The sum of credits against the referenced transaction would exceed original debit amount.", field: "amount"))
            let rest = try await h.refund(payment.ref, micros: 15_000_000, reference: "REFUND3")
            #expect(rest.state == .succeeded)
            #expect(rest.id != first.id)
            let original = try await h.transactions(type: "authCaptureTransaction").first
            #expect(original?["refunded"] as? String == "20.00")
            #expect(await Self.failure { try await h.refund(payment.ref, micros: 10_000, reference: "REFUND4") } != nil)
        }
    }

    @Test func beforeSettlementOnlyAFullReversalIsPossibleAndItIsAVoid() async throws {
        try await withAuthorizeNet(fakeOptions: ["settle_after_seconds": "3600"]) { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.visaNonce())
            let payment = try await h.charge(customer, method, micros: 10_000_000, reference: "TOPUP10")
            #expect(try await h.gateway.paymentStatus(payment.ref).state == .succeeded)
            #expect(try await h.transactions().first?["status"] as? String == "capturedPendingSettlement")

            let partial = await Self.failure { try await h.refund(payment.ref, micros: 4_000_000, reference: "REFUND10") }
            #expect(partial == .invalidRequest(
                code: "54", message: "the payment is not settled yet: until it settles only the full amount can be reversed (voided)",
                field: "amount"))
            let full = try await h.refund(payment.ref, micros: 10_000_000, reference: "REFUND11")
            #expect(full == RefundOutcome(id: payment.ref.id, state: .succeeded, amount: Money(micros: 10_000_000, currency: .usd)))
            #expect(try await h.gateway.paymentStatus(payment.ref).state == .canceled)
            // Retried: already voided, reported as done without another call to reverse it.
            #expect(try await h.refund(payment.ref, micros: 10_000_000, reference: "REFUND11") == full)
            #expect(try await h.bodies("createTransactionRequest").filter { $0.contains("voidTransaction") }.count == 1)
        }
    }

    // MARK: webhooks

    @Test func webhooksVerifyAndMapToPaymentAndRefundEvents() async throws {
        try await withAuthorizeNet { h in
            let (customer, method) = try await h.customerAndMethod(token: Self.visaNonce())
            let payment = try await h.charge(customer, method, micros: 7_500_000, reference: "TOPUPWH1")
            let refund = try await h.refund(payment.ref, micros: 2_500_000, reference: "REFUNDWH1")
            try await h.fake.inject(.decline(match: nil))
            _ = await Self.failure { try await h.charge(customer, method, micros: 3_000_000, reference: "TOPUPWH2") }

            let verifier = try h.webhookVerifier()
            let events = try await h.fake.events()
            #expect(events.count == 3)
            var mapped: [GatewayEvent] = []
            for event in events {
                let headers = event.webhookHeaders
                let body = Array(event.body.utf8)
                let verified = try await verifier.verify(headers: headers, body: body, url: nil)
                #expect(verified.eventID == event.id)
                mapped += try h.gateway.events(in: verified, body: body)

                var tampered = body
                tampered[tampered.count / 2] ^= 1
                await #expect(throws: WebhookVerificationError.self) { try await verifier.verify(headers: headers, body: tampered, url: nil) }
            }
            #expect(mapped.count == 3)
            #expect(mapped[0].type == "net.authorize.payment.authcapture.created")
            #expect(mapped[0].kind == .paymentSucceeded)
            #expect(mapped[0].payment == payment.ref)
            #expect(mapped[0].reference == "TOPUPWH1")
            #expect(mapped[0].amount == Money(micros: 7_500_000, currency: .usd))
            #expect(mapped[0].occurredAt != nil)

            #expect(mapped[1].type == "net.authorize.payment.refund.created")
            #expect(mapped[1].kind == .refundSucceeded)
            #expect(mapped[1].refundID == refund.id)
            #expect(mapped[1].reference == "REFUNDWH1")
            #expect(mapped[1].amount == Money(micros: 2_500_000, currency: .usd))

            #expect(mapped[2].kind == .paymentFailed(.init(code: "2", message: "declined")))
            #expect(mapped[2].reference == "TOPUPWH2")
            #expect(mapped[2].amount == Money(micros: 3_000_000, currency: .usd))
        }
    }

    @Test func theGoldenVectorMapsToAPaymentEvent() async throws {
        let file = try WebhookVectorFile.load()
        let settings = GatewaySettings(baseURL: "http://127.0.0.1:9", credentials: [
            "api_login_id": Self.login, "transaction_key": Self.transactionKey, "signature_key": file.authorizenet.signature_key,
        ])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let transport = GatewayTransport(client: client)
        let gateway = try AuthorizeNetGateway(settings: settings, transport: transport)
        let body = Array(file.authorizenet.body.utf8)
        let verified = try await AuthorizeNetGateway.webhookVerifier(settings: settings, transport: transport)
            .verify(headers: [file.authorizenet.header_name: file.authorizenet.header], body: body, url: nil)
        let events = try gateway.events(in: verified, body: body)
        try await client.shutdown()
        #expect(events == [GatewayEvent(
            eventID: "d0e8e7fe-c3e7-4add-a480-27bc5ce28934", type: "net.authorize.payment.authcapture.created", kind: .paymentSucceeded,
            payment: PaymentRef(id: "60123456789"), reference: nil, amount: Money(micros: 5_000_000, currency: .usd),
            occurredAt: Date(timeIntervalSince1970: 1_767_225_600))])
    }

    // MARK: credentials

    @Test func badCredentialsAreAnAuthenticationErrorThatNeverShowsTheSecrets() async throws {
        let wrongKey = "WrongKey12345678"
        try await withAuthorizeNet(credentials: ["transaction_key": wrongKey], expectClean: false) { (h: Harness) async throws in
            let error = await Self.failure {
                try await h.gateway.createCustomer(
                    CreateCustomer(ownerID: UUID(), email: "ops@crawler.example", name: "Example Crawler"),
                    key: IdempotencyKey(ledgerKey: "x", operation: "customer"))
            }
            #expect(error == .authentication)
            #expect(!"\(error.map { "\($0)" } ?? "")".contains(wrongKey))
            let requests = try await h.fake.requests()
            #expect(requests.count == 1)
            #expect(requests.first?.problems == ["merchantAuthentication does not match the fake's credentials"])
        }
        // Authorize.Net's schema errors quote the offending value; a login id too long for its 25 characters must
        // not come back in our error text.
        let longLogin = "tollgateLoginThatIsWayTooLong42"
        try await withAuthorizeNet(credentials: ["api_login_id": longLogin], expectClean: false) { (h: Harness) async throws in
            let error = await Self.failure { try await h.gateway.paymentStatus(PaymentRef(id: "1")) }
            guard case .invalidRequest(let code, let message, let field) = error else {
                Issue.record("expected E00003, got \(String(describing: error))")
                return
            }
            #expect(code == "E00003")
            #expect(field == "name")
            #expect(message.contains("[redacted]"))
            for text in [message, "\(error!)", String(reflecting: error!)] {
                #expect(!text.contains(longLogin))
                #expect(!text.contains(Self.transactionKey))
                #expect(!text.contains(Self.signatureKey))
            }
            #expect(try await h.fake.requests().first?.problems.first?.hasPrefix("E00003 ") == true)
        }
        #expect(throws: GatewayError.self) {
            try AuthorizeNetGateway.webhookVerifier(
                settings: GatewaySettings(baseURL: "http://x", credentials: ["signature_key": "short"]), transport: GatewayTransport(client: .shared))
        }
        #expect(AuthorizeNetGateway.credentialFields.filter(\.isRequired).map(\.name) == ["api_login_id", "transaction_key", "signature_key"])
    }
}

extension GatewayHarness<AuthorizeNetGateway> {
    /// The fake's transactions, all or of one `transactionType`.
    func transactions(type: String? = nil) async throws -> [[String: Any]] {
        try await state("transactions").filter { type == nil || $0["type"] as? String == type }
    }

    /// The bodies of the recorded requests whose root element is `operation`.
    func bodies(_ operation: String) async throws -> [String] {
        try await fake.requests().map(\.body).filter { $0.hasPrefix("{\"\(operation)\":") }
    }
}
