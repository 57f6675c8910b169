import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TollgateCore

/// The fleet protocol's bodies over HTTP, in `FleetJSON`'s conventions (RFC 3339 dates, the wire types' own keys).
/// Unknown fields are ignored rather than refused, so an agent newer than the control plane keeps working.
enum FleetHTTP {
    /// 415 for another content type, 413 beyond `maxBytes`, 400 for malformed JSON, 422 naming a missing or wrongly
    /// typed field.
    static func decode<Body: Decodable>(_ type: Body.Type, from request: Request, maxBytes: Int) async throws -> Body {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", title: "Unsupported media type",
                detail: "Send the body as JSON with 'Content-Type: application/json'.")
        }
        let data = Data(try await request.body.collect(upTo: maxBytes).readableBytesView)
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw Problem.malformed("The body must be a JSON object.")
        }
        do {
            return try FleetJSON.decoder().decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw Problem.invalid([Request.fieldError(error)])
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try FleetJSON.encoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
