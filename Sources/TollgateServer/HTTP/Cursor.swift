import Foundation
import TollgateCore

/// Opaque pagination cursors (base64url of a small text), validated on the way back in.
enum Cursor {
    static func encodeTimeID(_ date: Date, _ id: UUID) -> String {
        Base64URL.encode(Array("\(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))|\(id.uuidString)".utf8))
    }

    static func decodeTimeID(_ cursor: String) throws -> (Date, UUID) {
        guard let bytes = Base64URL.decode(cursor) else { throw invalid }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "|")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { throw invalid }
        return (Date(timeIntervalSince1970: Double(micros) / 1_000_000), id)
    }

    static func encodeSeq(_ seq: Int64) -> String { Base64URL.encode(Array("seq|\(seq)".utf8)) }

    static func decodeSeq(_ cursor: String) throws -> Int64 {
        guard let bytes = Base64URL.decode(cursor) else { throw invalid }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("seq|"), let seq = Int64(text.dropFirst(4)), seq > 0 else { throw invalid }
        return seq
    }

    static let invalid = Problem.invalid(field: "cursor", "is not a cursor this endpoint returned")
}
