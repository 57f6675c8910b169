import Foundation

/// The optional `nbf` / `exp` members (NumericDate, seconds since the epoch) a directory may put on its keys to
/// announce rotation, as the directory draft's examples do. `JSONWebKey` leaves them out of thumbprints and keys.
public struct JWKValidityPeriod: Sendable, Hashable, Decodable {
    public var notBefore: Date?
    public var expires: Date?

    public init(notBefore: Date? = nil, expires: Date? = nil) {
        self.notBefore = notBefore
        self.expires = expires
    }

    enum CodingKeys: String, CodingKey {
        case notBefore = "nbf", expires = "exp"
    }

    /// NumericDates outside 1970 … 9999 are refused: no real key needs them, and storage cannot hold every Double.
    public static let range: ClosedRange<Double> = 0...253_402_300_799

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date? {
            guard let seconds = try container.decodeIfPresent(Double.self, forKey: key) else { return nil }
            guard Self.range.contains(seconds) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: container.codingPath + [key], debugDescription: "must be seconds since the epoch, from 0 to 253402300799 (year 9999)"))
            }
            return Date(timeIntervalSince1970: seconds)
        }
        notBefore = try date(.notBefore)
        expires = try date(.expires)
    }

    /// Whether the key may be used at `date`.
    public func contains(_ date: Date) -> Bool {
        if let notBefore, date < notBefore { return false }
        if let expires, date >= expires { return false }
        return true
    }

    /// The periods of a directory body's keys, in the order of its `keys` array.
    public static func ofDirectory(_ body: [UInt8]) throws(KeyDirectoryError) -> [JWKValidityPeriod] {
        struct Periods: Decodable { let keys: [JWKValidityPeriod] }
        do {
            return try JSONDecoder().decode(Periods.self, from: Data(body)).keys
        } catch {
            throw KeyDirectoryError.malformedJSON("nbf and exp must be numbers of seconds since the epoch: \(error)")
        }
    }
}
