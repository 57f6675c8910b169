import Foundation
import NIOHTTP1
import Testing
import TollgateCore
@testable import TollgateEdge

@Suite struct ObservabilityTests {
    static let site = UUID(uuidString: "0A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9")!

    static func request(userAgent: String = "Mozilla/5.0", query: String? = "q=1") -> EdgeRequest {
        EdgeRequest(
            method: "GET", scheme: "http", authority: "shop.example", path: "/a", query: query,
            headers: ["Host": "shop.example", "User-Agent": userAgent], clientAddress: "192.0.2.7")
    }

    /// Writes lines through a pipe and returns them once the log has been closed and flushed.
    static func accessLogLines(maxBufferedLines: Int = 1000, _ body: (AccessLog) -> Void) throws -> [[String: Any]] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let log = AccessLog(fd: fds[1], maxBufferedLines: maxBufferedLines)
        body(log)
        log.close()
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        // The writer thread flushes on close; the lines arrive within its 100 ms period.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else {
                if !bytes.isEmpty { break }
                continue
            }
            let count = read(fds[0], &chunk, chunk.count)
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        close(fds[0])
        return try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func anAccessLogLineIsJSONWithTheDecisionAndItsReason() throws {
        let record = DecisionRecord(
            action: "charge", reason: "pricing.paid", siteID: Self.site, crawler: "BenchBot", price: "USD 0.01")
        let lines = try Self.accessLogLines { log in
            log.observe(Self.request(), record: record, status: .ok, seconds: 0.001_234_4)
            log.observe(
                Self.request(userAgent: "quote \" back\\slash \u{1} tab\t", query: nil),
                record: DecisionRecord(action: "pass", reason: "default.anonymous"), status: .notFound, seconds: 2)
        }
        #expect(lines.count == 2)
        let first = lines[0]
        #expect(first["type"] as? String == "access")
        #expect(first["client"] as? String == "192.0.2.7")
        #expect(first["method"] as? String == "GET")
        #expect(first["host"] as? String == "shop.example")
        #expect(first["path"] as? String == "/a")
        #expect(first["query"] as? String == "q=1")
        #expect(first["status"] as? Int == 200)
        #expect(first["action"] as? String == "charge")
        #expect(first["reason"] as? String == "pricing.paid")
        #expect(first["site"] as? String == "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9")
        #expect(first["crawler"] as? String == "BenchBot")
        #expect(first["price"] as? String == "USD 0.01")
        #expect(first["user_agent"] as? String == "Mozilla/5.0")
        #expect((first["duration_ms"] as? Double).map { abs($0 - 1.234) < 0.000_1 } == true)
        let timestamp = try #require(first["ts"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(timestamp)")
        let logged = try #require(ISO8601DateFormatter().date(from: String(timestamp.prefix(19)) + "Z"))
        #expect(abs(logged.timeIntervalSinceNow) < 60)

        let second = lines[1]
        #expect(second["user_agent"] as? String == "quote \" back\\slash \u{1} tab\t")
        #expect(second["query"] == nil && second["site"] == nil && second["crawler"] == nil)
        #expect(second["status"] as? Int == 404)
        #expect(second["duration_ms"] as? Double == 2000)
    }

    @Test func linesPastTheBufferLimitAreDroppedAndCounted() throws {
        var log: AccessLog?
        let record = DecisionRecord(action: "pass", reason: "default.anonymous")
        // Room for two lines between the writer's flushes: of 200 requests at once, most cannot wait.
        let lines = try Self.accessLogLines(maxBufferedLines: 2) { accessLog in
            log = accessLog
            for _ in 0..<200 { accessLog.observe(Self.request(), record: record, status: .ok, seconds: 0) }
        }
        let dropped = try #require(log).droppedLines
        #expect(dropped > 0)
        #expect(lines.count + dropped == 200)
    }

    @Test func decimalsAreWrittenWithoutFormatting() {
        for (value, digits, expected) in [(0, 1, "0"), (7, 3, "007"), (1234, 3, "1234"), (-42, 1, "-42"), (Int.max, 1, "\(Int.max)")] {
            var line: [UInt8] = []
            JSONBytes.appendDecimal(value, minimumDigits: digits, to: &line)
            #expect(String(decoding: line, as: UTF8.self) == expected)
        }
    }

    @Test func countersTotalWhatWasDrainedAndWhatWasNot() throws {
        let counters = TrafficCounters()
        let record = DecisionRecord(action: "pass", reason: "default.anonymous", siteID: Self.site)
        for _ in 0..<3 { counters.observe(Self.request(), record: record, status: .ok, seconds: 0.002) }
        counters.observe(Self.request(), record: record, status: .badGateway, seconds: 0.02)

        let batch = try #require(counters.drain(sequence: 1, windowStart: Date()))
        #expect(batch.counters.map(\.count).sorted() == [1, 3])
        #expect(Set(batch.counters.map(\.statusClass)) == ["2xx", "5xx"])
        #expect(batch.latencies.first?.counts.reduce(0, +) == 4)
        #expect(counters.drain(sequence: 2, windowStart: Date()) == nil)

        counters.observe(Self.request(), record: record, status: .ok, seconds: 0.002)
        var totals = counters.totals
        #expect(totals.counters.values.sorted() == [1, 4])
        #expect(totals.latencies.values.first?.counts.reduce(0, +) == 5)

        // A push that failed puts its counts back for the next one, without counting them twice in the totals.
        counters.restore(batch)
        totals = counters.totals
        #expect(totals.counters.values.sorted() == [1, 4])
        let again = try #require(counters.drain(sequence: 2, windowStart: Date()))
        #expect(again.counters.map(\.count).sorted() == [1, 4])
        #expect(again.latencies.first?.counts.reduce(0, +) == 5)
        #expect(counters.totals.counters.values.sorted() == [1, 4])
    }
    @Test func countersKeepInterleavedKeysApart() throws {
        let counters = TrafficCounters()
        let pass = DecisionRecord(action: "pass", reason: "default.anonymous", siteID: Self.site)
        let charge = DecisionRecord(action: "charge", reason: "pricing.paid", siteID: Self.site, crawler: "bot")
        // Runs of one key broken by another, and a run still open when the totals are read.
        for record in [pass, charge, pass, pass, charge, charge, charge, pass] {
            counters.observe(Self.request(), record: record, status: .ok, seconds: 0.001)
        }
        let totals = counters.totals
        #expect(totals.counters.count == 2)
        #expect(totals.counters.values.sorted() == [4, 4])
        #expect(totals.latencies.values.map { $0.counts.reduce(0, +) }.sorted() == [4, 4])
        let batch = try #require(counters.drain(sequence: 1, windowStart: Date()))
        let byAction = Dictionary(uniqueKeysWithValues: batch.counters.map { ($0.action, $0.count) })
        #expect(byAction == ["pass": 4, "charge": 4])
        #expect(counters.totals.counters.values.sorted() == [4, 4])
    }
}

