import Foundation

/// RFC 3339 `date-time`s, read and written by hand: one definition for the API's query parameters, the fleet
/// protocol, vendors' webhook dates and the edge's logs, and cheap enough for a request's path.
public enum RFC3339 {
    /// Accepts a `date-time` exactly as the OpenAPI format admits it (`2026-11-01T12:00:00Z`,
    /// `2026-11-01t12:00:00.5+02:00`): `T` and `Z` in either case, seconds 00–59, any number of fraction digits,
    /// offsets up to ±23:59, and only days the month has. Years 0000–9999, proleptic Gregorian calendar.
    public static func parse(_ text: some StringProtocol) -> Date? {
        var text = String(text)
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// UTC with milliseconds (`2026-11-21T15:44:44.123Z`), truncated as Foundation's ISO 8601 style truncates.
    public static func string(from date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func append(_ date: Date, to bytes: inout [UInt8]) {
        // From the reference date, as Foundation counts, so both truncate the same doubles alike.
        let reference = date.timeIntervalSinceReferenceDate
        let whole = reference.rounded(.down)
        let milliseconds = min(999, Int(((reference - whole) * 1000).rounded(.down)))
        append(secondsSince1970: Int(whole) + 978_307_200, milliseconds: milliseconds, to: &bytes)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for a whole second and its milliseconds (0–999).
    public static func append(secondsSince1970 seconds: Int, milliseconds: Int, to bytes: inout [UInt8]) {
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civil(fromDaysSince1970: days)
        func two(_ value: Int) {
            bytes.append(UInt8(ascii: "0") + UInt8(value / 10))
            bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        two(year / 100 % 100)
        two(year % 100)
        bytes.append(UInt8(ascii: "-"))
        two(month)
        bytes.append(UInt8(ascii: "-"))
        two(day)
        bytes.append(UInt8(ascii: "T"))
        two(secondOfDay / 3600)
        bytes.append(UInt8(ascii: ":"))
        two(secondOfDay / 60 % 60)
        bytes.append(UInt8(ascii: ":"))
        two(secondOfDay % 60)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds / 100))
        two(milliseconds % 100)
        bytes.append(UInt8(ascii: "Z"))
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        func literal(_ options: StaticString) -> Bool {
            guard index < bytes.count else { return false }
            let found = options.withUTF8Buffer { $0.contains(bytes[index]) }
            if found { index += 1 }
            return found
        }
        guard let year = number(4), literal("-"), let month = number(2), literal("-"), let day = number(2), literal("Tt"),
            let hour = number(2), literal(":"), let minute = number(2), literal(":"), let second = number(2)
        else { return nil }
        var fraction = 0.0
        if literal(".") {
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if !literal("Zz") {
            guard index < bytes.count else { return nil }
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard literal("+-"), let offsetHour = number(2), literal(":"), let offsetMinute = number(2), offsetHour <= 23,
                offsetMinute <= 59
            else { return nil }
            offset = sign * (offsetHour * 3600 + offsetMinute * 60)
        }
        guard index == bytes.count, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let seconds = daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a civil date, and back (H. Hinnant's `days_from_civil` and `civil_from_days`).
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDaysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivision(_ value: Int, _ divisor: Int) -> (Int, Int) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
