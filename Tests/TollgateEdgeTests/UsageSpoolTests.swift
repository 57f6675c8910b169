import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import TollgateCore
@testable import TollgateEdge

@Suite struct UsageSpoolTests {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID())")
    let logger = Logger(label: "spool-test")

    func draft(_ n: Int) -> UsageDraft {
        UsageDraft(
            crawlerAccountID: EdgeFixture.accountID, siteID: EdgeFixture.siteID, url: "https://shop.example/\(n)",
            price: Money(micros: 10_000, currency: .usd), requestKey: nil)
    }

    @Test func concurrentAppendsGetDistinctSequencesAndSurviveAReopen() async throws {
        let spool = try UsageSpool(directory: directory, logger: logger)
        let futures = (1...500).map { spool.append(draft($0), on: group.next()) }
        var records: [UsageRecord] = []
        for future in futures { records.append(try await future.get()) }
        #expect(Set(records.map(\.sequence)) == Set(1...500))
        spool.close()

        let reopened = try UsageSpool(directory: directory, logger: logger)
        let recovered = reopened.unacknowledged(limit: 1000)
        #expect(recovered.map(\.sequence) == Array(1...500))
        #expect(Set(recovered.map(\.url)) == Set(records.map(\.url)))
        #expect(try await reopened.append(draft(501), on: group.next()).get().sequence == 501)
        reopened.close()
    }

    @Test func aSpoolLineIsTheFleetProtocolsJSON() throws {
        let occurredAt = Date(timeIntervalSince1970: 1_793_527_200.123_9)
        for (url, key) in [("https://shop.example/a?b=c&d=%22", nil), ("https://shop.example/\"quoted\"\\\n\u{1}é", "k1|n\"o|u")] {
            let record = UsageRecord(
                sequence: 18_446_744_073_709_551_615, crawlerAccountID: EdgeFixture.accountID, siteID: EdgeFixture.siteID,
                url: url, price: Money(micros: 12_345_678, currency: .jpy), occurredAt: occurredAt, requestKey: key)
            let line = record.spoolLine()
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(!line.dropLast().contains(UInt8(ascii: "\n")))
            let decoded = try FleetJSON.decoder().decode(UsageRecord.self, from: Data(line.dropLast()))
            var expected = record
            expected.occurredAt = Date(timeIntervalSince1970: 1_793_527_200.123)
            #expect(decoded.sequence == expected.sequence && decoded.url == url && decoded.requestKey == key)
            #expect(decoded.price == expected.price && decoded.crawlerAccountID == expected.crawlerAccountID)
            #expect(decoded.siteID == expected.siteID)
            #expect(abs(decoded.occurredAt.timeIntervalSince(expected.occurredAt)) < 0.000_001)
        }
    }

    @Test func acknowledgementIsDurableAndATornTailIsCut() async throws {
        let spool = try UsageSpool(directory: directory, logger: logger)
        for n in 1...10 { _ = try await spool.append(draft(n), on: group.next()).get() }
        try spool.acknowledge(through: 6)
        #expect(spool.unacknowledged(limit: 100).map(\.sequence) == [7, 8, 9, 10])
        spool.close()

        // A crash in the middle of a write leaves half a line behind.
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".log") })
        let handle = try FileHandle(forWritingTo: directory.appendingPathComponent(segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"sequence":11,"crawler_acc"#.utf8))
        try handle.close()

        let reopened = try UsageSpool(directory: directory, logger: logger)
        #expect(reopened.acknowledgedSequence == 6)
        #expect(reopened.unacknowledged(limit: 100).map(\.sequence) == [7, 8, 9, 10])
        #expect(try await reopened.append(draft(11), on: group.next()).get().sequence == 11)
        reopened.close()
        let again = try UsageSpool(directory: directory, logger: logger)
        #expect(again.unacknowledged(limit: 100).map(\.sequence) == [7, 8, 9, 10, 11])
        again.close()
    }

    @Test func aLongBacklogStaysOnDiskAndIsReadBackInOrder() async throws {
        // Memory holds 10 unacknowledged charges; the control plane is away for 35, over two segments.
        let spool = try UsageSpool(directory: directory, memoryLimit: 10, logger: logger)
        for n in 1...20 { _ = try await spool.append(draft(n), on: group.next()).get() }
        spool.close()
        let second = try UsageSpool(directory: directory, memoryLimit: 10, logger: logger)
        for n in 21...35 { _ = try await second.append(draft(n), on: group.next()).get() }
        #expect(second.unacknowledgedCount == 35)

        // The shipper's rounds: each gets the oldest records, read back from disk as memory runs short.
        var shipped: [UInt64] = []
        while second.unacknowledgedCount > 0 {
            let batch = second.unacknowledged(limit: 4)
            #expect(!batch.isEmpty && batch.count <= 4)
            shipped += batch.map(\.sequence)
            try second.acknowledge(through: batch[batch.count - 1].sequence)
            if shipped.count == 12 {
                // New charges meanwhile land behind the backlog.
                for n in 36...38 { _ = try await second.append(draft(n), on: group.next()).get() }
            }
        }
        #expect(shipped == Array(1...38))
        #expect(second.unacknowledged(limit: 4).isEmpty)
        second.close()

        // A restart with a backlog larger than memory recovers the count and the oldest records.
        let third = try UsageSpool(directory: directory, memoryLimit: 10, logger: logger)
        for n in 39...60 { _ = try await third.append(draft(n), on: group.next()).get() }
        third.close()
        let fourth = try UsageSpool(directory: directory, memoryLimit: 10, logger: logger)
        #expect(fourth.unacknowledgedCount == 22 && fourth.acknowledgedSequence == 38)
        #expect(fourth.unacknowledged(limit: 100).map(\.sequence) == Array(39...48))
        try fourth.acknowledge(through: 48)
        #expect(fourth.unacknowledged(limit: 100).map(\.sequence) == Array(49...58))
        #expect(try await fourth.append(draft(61), on: group.next()).get().sequence == 61)
        fourth.close()
    }

    @Test func fullyAcknowledgedSegmentsAreDeleted() async throws {
        let spool = try UsageSpool(directory: directory, logger: logger)
        for n in 1...3 { _ = try await spool.append(draft(n), on: group.next()).get() }
        spool.close()
        let second = try UsageSpool(directory: directory, logger: logger)
        for n in 4...5 { _ = try await second.append(draft(n), on: group.next()).get() }
        func segments() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".log") }.sorted()
        }
        #expect(try segments().count == 2)
        try second.acknowledge(through: 2)
        #expect(try segments().count == 2)
        try second.acknowledge(through: 3)
        #expect(try segments() == ["usage-00000000000000000004.log"])
        second.close()
    }
}

@Suite struct AllowanceBookTests {
    let account = UUID()
    let cent = Money(micros: 10_000, currency: .usd)

    @Test func pendingChargesCountAgainstTheGrantUntilAcknowledged() {
        let book = AllowanceBook(enforced: true)
        let now = Date()
        #expect(book.authorize(account, cent, now: now) == .unknown)
        book.update([SyncAllowance(crawlerAccountID: account, status: .active, remaining: Money(micros: 25_000, currency: .usd), expiresAt: now + 300)])
        #expect(book.authorize(account, cent, now: now) == .granted)
        book.charged(account, cent)
        book.charged(account, cent)
        #expect(book.authorize(account, cent, now: now) == .unknown)
        #expect(book.accountsToRenew(now: now, margin: 30) == [account])
        book.acknowledged(account, cent)
        book.update([SyncAllowance(crawlerAccountID: account, status: .active, remaining: Money(micros: 15_000, currency: .usd), expiresAt: now + 300)])
        // 15 000 left after the acknowledged cent; the other cent is still pending.
        #expect(book.authorize(account, cent, now: now) == .unknown)
        book.acknowledged(account, cent)
        book.update([SyncAllowance(crawlerAccountID: account, status: .active, remaining: Money(micros: 15_000, currency: .usd), expiresAt: now + 300)])
        #expect(book.authorize(account, cent, now: now) == .granted)
        #expect(book.authorize(account, Money(micros: 10_000, currency: .eur), now: now) == .unknown)
    }

    @Test func refusalsHoldUntilTheyLapse() {
        let book = AllowanceBook(enforced: true)
        let now = Date()
        book.update([SyncAllowance(crawlerAccountID: account, status: .capped, remaining: .zero(.usd), expiresAt: now + 60)])
        #expect(book.authorize(account, cent, now: now) == .refused(.capped))
        #expect(book.authorize(account, cent, now: now + 61) == .unknown)
        #expect(AllowanceBook(enforced: false).authorize(account, cent, now: now) == .granted)
    }
}

@Suite struct AllowancePipelineTests {
    func paid(_ fixture: EdgeFixture) throws -> EdgeRequest {
        try fixture.request("/a", headers: [("crawler-exact-price", "USD 0.01")], signedWith: EdgeFixture.testKey)
    }

    @Test func aMissingAllowanceIsFetchedBeforeDeciding() async throws {
        let box = RenewerBox()
        let fixture = try EdgeFixture(enforceAllowances: true, renewer: { box.make($0, .active) })
        #expect(try await fixture.decideEventually(paid(fixture)).plan?.record.reason == "pricing.paid")
        // Now granted locally: no second call.
        #expect(try await fixture.decideEventually(paid(fixture)).plan?.record.reason == "pricing.paid")
        #expect(box.calls == 1)
    }

    @Test func exhaustedAndCappedAccountsGet402() async throws {
        for status in [SyncAllowance.Status.exhausted, .capped, .suspended] {
            let box = RenewerBox()
            let fixture = try EdgeFixture(enforceAllowances: true, renewer: { box.make($0, status) })
            let verdict = try await fixture.decideEventually(paid(fixture))
            let response = try #require(verdict.response, "\(status): \(verdict.record)")
            #expect(response.status == .paymentRequired)
            #expect(response.headers["crawler-price"] == ["USD 0.01"])
            #expect(response.headers["cache-control"] == ["private, no-store"])
        }
    }

    @Test func anUnreachableControlPlaneFollowsTheFailMode() async throws {
        let open = try EdgeFixture(enforceAllowances: true, renewer: { RenewerBox().make($0, nil) }, failMode: .open)
        #expect(try await open.decideEventually(paid(open)).plan?.record.reason == "pricing.paid_unconfirmed")
        let closed = try EdgeFixture(enforceAllowances: true, renewer: { RenewerBox().make($0, nil) }, failMode: .closed)
        let response = try #require(try await closed.decideEventually(paid(closed)).response)
        #expect(response.status == .internalServerError)
        #expect(response.headers["crawler-error"] == ["InternalError"])
    }
}

/// Builds `ScriptedRenewer`s and counts their calls.
final class RenewerBox: @unchecked Sendable {
    private(set) var renewers: [ScriptedRenewer] = []

    func make(_ book: AllowanceBook, _ answer: SyncAllowance.Status?) -> ScriptedRenewer {
        let renewer = ScriptedRenewer(book: book, answer: answer)
        renewers.append(renewer)
        return renewer
    }

    var calls: Int { renewers.reduce(0) { $0 + $1.calls } }
}

/// A control plane stand-in for the pipeline: answers allowance requests from a script.
final class ScriptedRenewer: AllowanceRenewing, @unchecked Sendable {
    let book: AllowanceBook
    let answer: SyncAllowance.Status?
    private let lock = NSLock()
    private var count = 0

    init(book: AllowanceBook, answer: SyncAllowance.Status?) {
        self.book = book
        self.answer = answer
    }

    var calls: Int { lock.withLock { count } }

    func renew(_ accounts: [UUID]) async throws {
        lock.withLock { count += 1 }
        guard let answer else { throw ControlPlaneError.unreachable("scripted outage") }
        book.update(accounts.map {
            SyncAllowance(
                crawlerAccountID: $0, status: answer,
                remaining: Money(micros: answer == .active ? 1_000_000 : 0, currency: .usd), expiresAt: Date() + 300)
        })
    }
}
