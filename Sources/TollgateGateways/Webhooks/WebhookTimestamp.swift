import Foundation

/// Time handling shared by the verifiers: Unix-seconds headers, RFC 3339 event dates and the replay window.
enum WebhookTimestamp {
    /// A header carrying integer Unix seconds (Stripe `t=`, Standard Webhooks `webhook-timestamp`).
    static func unixSeconds(_ text: String, header: String) throws(WebhookVerificationError) -> Int64 {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int64(text) else {
            throw .malformedHeader(name: header, reason: "timestamp \"\(text)\" is not integer Unix seconds")
        }
        return value
    }

    /// Rejects timestamps too far in the past (replays) and too far in the future (a skewed or forging sender).
    static func checkTolerance(_ timestamp: Int64, now: Date, tolerance: Int64) throws(WebhookVerificationError) {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let (distance, overflow) = nowSeconds.subtractingReportingOverflow(timestamp)
        guard !overflow, distance.magnitude <= tolerance.magnitude else {
            throw .timestampOutsideTolerance(timestamp: timestamp, now: nowSeconds, toleranceSeconds: tolerance)
        }
    }

    /// RFC 3339 / ISO 8601 date-time with optional fraction and `Z` or `±HH:MM` offset, e.g.
    /// `2026-01-01T00:00:00.0Z` (Authorize.Net) or `2026-01-01T01:00:00+01:00` (Adyen). Parsed by hand because the
    /// vendors use fraction lengths that fixed-format date formatters reject.
    static func parseRFC3339(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= chars.count else { return nil }
            var value = 0
            for character in chars[index..<index + count] {
                guard (0x30...0x39).contains(character) else { return nil }
                value = value * 10 + Int(character - 0x30)
            }
            index += count
            return value
        }
        func expect(_ characters: UInt8...) -> Bool {
            guard index < chars.count, characters.contains(chars[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            expect(0x54, 0x74, 0x20), let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A),
            let second = digits(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var fraction = 0.0
        if index < chars.count, chars[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < chars.count, (0x30...0x39).contains(chars[index]) {
                fraction += Double(chars[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds = 0
        if expect(0x5A, 0x7A) {
            offsetSeconds = 0
        } else if index < chars.count, chars[index] == 0x2B || chars[index] == 0x2D {
            let sign = chars[index] == 0x2D ? -1 : 1
            index += 1
            guard let offsetHours = digits(2), expect(0x3A), let offsetMinutes = digits(2) else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == chars.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
