import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import TollgateCore
@testable import TollgateEdge

/// A tenant with one priced site and two registered crawlers (ExampleBot signs with the RFC 9421 test key), the
/// decision pipeline over it, and a spool in a fresh temporary directory.
final class EdgeFixture: Sendable {
    static let tenantID = UUID(uuidString: "7e1b3d52-2c5f-4f0a-9a57-0a5a5e9d1f01")!
    static let siteID = UUID(uuidString: "0c8a7f4e-5a65-4d3f-8f0e-6d3b2c1a0b02")!
    static let crawlerID = UUID(uuidString: "a1f0c3e2-9b8d-4c7e-8f6a-5b4c3d2e1f03")!
    static let accountID = UUID(uuidString: "b2e1d4f3-0a9c-4d8e-9f7b-6c5d4e3f2a04")!
    static let badCrawlerID = UUID(uuidString: "c3f2e5a4-1b0d-4e9f-a08c-7d6e5f4a3b05")!
    static let price = Money(micros: 10_000, currency: .usd)
    static let host = "shop.example"

    /// The RFC 9421 Ed25519 test key from ../shared/data/web-bot-auth-vectors/ed25519.json.
    static let testKey: Curve25519.Signing.PrivateKey = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/data/web-bot-auth-vectors/ed25519.json")
            .standardizedFileURL
        let jwk = try! JSONDecoder().decode(JSONWebKey.self, from: Data(contentsOf: url))
        return try! jwk.ed25519PrivateKey()
    }()
    static let badKey = Curve25519.Signing.PrivateKey()
    static let tokenKey = Curve25519.Signing.PrivateKey()

    let directory: URL
    let store: StateStore
    let spool: UsageSpool
    let allowances: AllowanceBook
    let pipeline: DecisionPipeline
    /// Shared: shutting a group down per fixture would block a thread of the concurrency pool in `deinit`.
    let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    init(
        enforceAllowances: Bool = false, renewer: (AllowanceBook) -> (any AllowanceRenewing)? = { _ in nil },
        failMode: FailMode = .open, inBand: Bool = false
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-\(UUID())")
        let logger = Logger(label: "test")
        store = StateStore(source: EdgeStateSource(bundle: Self.bundle(inBand: inBand)), logger: logger)
        spool = try UsageSpool(directory: directory.appendingPathComponent("spool"), logger: logger)
        allowances = AllowanceBook(enforced: enforceAllowances)
        let responses = PayPerCrawlResponses(registrationURL: "https://tollgate.example/crawlers")
        pipeline = DecisionPipeline(
            stages: DecisionPipeline.standardStages(
                failMode: failMode, responses: responses, spool: spool, allowances: allowances, renewer: renewer(allowances),
                // The scripted renewers answer at once, but their Task can wait well over 10 s for a thread while the
                // whole suite runs on 2 cores (seen in a fresh-clone run); no test here relies on the timeout firing.
                renewalTimeout: .seconds(120)),
            store: store, observer: DecisionObservers([]))
    }

    deinit {
        spool.close()
        try? FileManager.default.removeItem(at: directory)
    }

    static func bundle(inBand: Bool = false) -> SyncBundle {
        let pricing = PricingPolicy(
            currency: .usd, defaultPrice: price, freePaths: ["/public/*"],
            crawlerOverrides: [CrawlerPriceOverride(crawler: "BadBot", action: .block)], inBand: inBand)
        let site = SyncSite(
            id: siteID, tenantID: tenantID, name: "Shop", hostnames: [host], status: .active, pricing: pricing,
            licenseURL: "https://shop.example/license.xml", version: 3)
        func crawler(_ id: UUID, _ token: String, _ key: Curve25519.Signing.PrivateKey, account: UUID) -> SyncCrawler {
            SyncCrawler(
                id: id, operatorID: UUID(), name: token, productToken: token, purposes: [.training], status: .active,
                keys: [SyncCrawlerKey(thumbprint: JWKThumbprint.thumbprint(of: key.publicKey), jwk: JSONWebKey(ed25519PublicKey: key.publicKey))],
                accounts: [SyncCrawlerAccount(id: account, currency: .usd)])
        }
        return SyncBundle(
            version: "100", full: true, sites: [site],
            crawlers: [crawler(crawlerID, "ExampleBot", testKey, account: accountID), crawler(badCrawlerID, "BadBot", badKey, account: UUID())],
            crawlTokenKeys: KeyDirectory(keys: [JSONWebKey(ed25519PublicKey: tokenKey.publicKey)]))
    }

    /// A request for `path` on the shop, signed with `key` when given (covering any price header on it).
    func request(
        _ path: String, headers: [(String, String)] = [], signedWith key: Curve25519.Signing.PrivateKey? = nil,
        extraComponents: [SignatureComponent] = [], client: String = "198.51.100.7"
    ) throws -> EdgeRequest {
        var fields = HTTPHeaders(headers)
        fields.add(name: "host", value: Self.host)
        var request = EdgeRequest(
            method: "GET", scheme: "https", authority: Self.host, target: path, headers: fields, clientAddress: client)
        if let key {
            let signer = WebBotAuthSigner(
                privateKey: key, signatureAgent: try SignatureAgent.parse("sig1=\"https://crawler.example\""))
            let signed = try signer.sign(request, created: Date(), additionalComponents: extraComponents)
            if let agent = signed.signatureAgent { request.headers.replaceOrAdd(name: "signature-agent", value: agent) }
            request.headers.add(name: "signature-input", value: signed.signatureInput)
            request.headers.add(name: "signature", value: signed.signature)
        }
        return request
    }

    /// The pipeline's verdict for requests decided at once.
    func decide(_ request: EdgeRequest) throws -> EdgeVerdict {
        switch pipeline.decide(request, on: group.next()) {
        case .now(let verdict): return verdict
        case .later: throw DeferredVerdict()
        }
    }

    /// The pipeline's verdict, awaiting a deferred one (which needs the concurrency pool free, so never block it).
    func decideEventually(_ request: EdgeRequest) async throws -> EdgeVerdict {
        switch pipeline.decide(request, on: group.next()) {
        case .now(let verdict): return verdict
        case .later(let future): return try await future.get()
        }
    }

    struct DeferredVerdict: Error {}

    /// What the client would get after the upstream answered `status`, for a forwarded request.
    /// Awaited, never waited for: a blocked test thread would starve the concurrency pool other tests share.
    func upstreamAnswers(_ status: HTTPResponseStatus, to plan: ForwardPlan, headers: HTTPHeaders = [:]) async throws -> HTTPResponseHead {
        switch try await hookDecision(status, to: plan, headers: headers) {
        case .send(let head, _): return head
        case .replace: throw ReplacedAnswer()
        }
    }

    /// What the plan's response hook made of the upstream answering `status`.
    func hookDecision(_ status: HTTPResponseStatus, to plan: ForwardPlan, headers: HTTPHeaders = [:]) async throws -> HookDecision {
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        guard let hook = plan.onResponse else { return .send(head) }
        return try await hook.upstreamResponded(head, on: group.next()).get()
    }

    struct ReplacedAnswer: Error {}
}

extension EdgeVerdict {
    var response: EdgeResponse? {
        if case .respond(let response, _) = self { return response }
        return nil
    }

    var plan: ForwardPlan? {
        if case .forward(let plan) = self { return plan }
        return nil
    }

    var record: DecisionRecord {
        switch self {
        case .respond(_, let record): record
        case .forward(let plan): plan.record
        }
    }
}

extension EdgeResponse {
    var text: String { String(buffer: body) }
}
