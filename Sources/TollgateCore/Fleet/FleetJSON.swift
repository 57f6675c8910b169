import Foundation

/// The JSON conventions of the fleet protocol (sync, usage, metrics, allowances): snake_case keys declared on each
/// type, dates as RFC 3339 strings with fractional seconds, money as `{"micros":…,"currency":"USD"}`.
public enum FleetJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = RFC3339.parse(text) { return date }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z")
        }
        return decoder
    }
}
