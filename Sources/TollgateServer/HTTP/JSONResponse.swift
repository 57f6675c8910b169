import Foundation
import HTTPTypes
import Hummingbird
import TollgateCore

extension Response {
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()

    /// A JSON response; dates as RFC 3339 with milliseconds.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try jsonEncoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func noContent(headers: HTTPFields = [:]) -> Response {
        Response(status: .noContent, headers: headers)
    }
}

/// A page of a list endpoint: `items` plus the `next_cursor` to pass back for the next page (null on the last page).
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    let items: [Item]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// `?limit=` and `?cursor=` of list endpoints, validated. A cursor is the last item's id (or audit sequence
/// number), so every value the OpenAPI schema allows is meaningful: an unknown one just gives an empty page.
struct PageRequest: Sendable {
    let limit: Int
    private let cursor: String?

    init(_ request: Request, defaultLimit: Int = 50, maxLimit: Int = 200) throws {
        let query = request.uri.queryParameters
        if let raw = query["limit"] {
            guard let value = Int(String(raw)), (1...maxLimit).contains(value) else {
                throw Problem.invalid(field: "limit", "must be an integer from 1 to \(maxLimit)")
            }
            limit = value
        } else {
            limit = defaultLimit
        }
        cursor = query["cursor"].map(String.init)
    }

    func cursorID() throws -> UUID? {
        try cursor.map { raw in
            guard let id = UUID(uuidString: raw) else { throw Problem.invalid(field: "cursor", "must be the next_cursor of the previous page") }
            return id
        }
    }

    func cursorSeq() throws -> Int64? {
        try cursor.map { raw in
            guard let seq = Int64(raw), seq > 0 else { throw Problem.invalid(field: "cursor", "must be the next_cursor of the previous page") }
            return seq
        }
    }
}
