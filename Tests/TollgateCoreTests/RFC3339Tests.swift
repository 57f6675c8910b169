import Foundation
import Testing
@testable import TollgateCore

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2026-01-01T00:00:00Z", 1_767_225_600),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
        ("2026-01-01T00:00:00.0Z", 1_767_225_600),
        ("2026-01-01T01:00:00+01:00", 1_767_225_600),
        ("2025-12-31T19:00:00.250-05:00", 1_767_225_600.25),
        ("2026-11-01t12:00:00.25+02:00", 1_793_527_200.25),
        ("2024-02-29T23:59:59-00:30", 1_709_252_999),
        ("0001-01-01T00:00:00Z", -62_135_596_800),
        ("9999-12-31T23:59:59z", 253_402_300_799),
    ])
    func parsesWhatTheSchemaAdmits(_ text: String, _ seconds: Double) {
        #expect(RFC3339.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test(arguments: [
        "", "x", "2026-01-01", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-01T24:00:00Z", "2026-11-01T12:60:00Z", "2026-11-01T12:00:60Z", "2026-11-01 12:00:00Z",
        "2026-11-01T12:00:00", "2026-11-01T12:00:00+24:00", "2026-11-01T12:00:00+01", "2026-11-01T12:00:00.Z",
        "2026-11-01T12:00:00Zjunk", "+2026-11-01T12:00:00Z", "２０２６-11-01T12:00:00Z",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func writesUTCWithMillisecondsAsFoundationDoes() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var generator = SystemRandomNumberGenerator()
        var seconds: [Double] = [0, 1.9996, -0.0005, -1.9996, 951_782_400, 1_709_251_199.999, 253_402_300_799.5]
        for _ in 0..<20_000 { seconds.append(Double.random(in: -2_000_000_000...4_000_000_000, using: &generator)) }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            #expect(RFC3339.string(from: date) == date.formatted(style), "\(value)")
        }
    }

    @Test func whatItWritesReadsBackToTheMillisecond() throws {
        let date = Date(timeIntervalSince1970: 1_793_527_200.123_456)
        let text = RFC3339.string(from: date)
        #expect(text == "2026-11-01T10:00:00.123Z")
        let parsed = try #require(RFC3339.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - 1_793_527_200.123) < 0.000_001)
    }
}
