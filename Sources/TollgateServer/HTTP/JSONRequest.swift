import Foundation
import HTTPTypes
import Hummingbird
import TollgateCore

/// A JSON request body whose `CodingKeys` list every accepted field, so unknown fields are rejected
/// instead of silently ignored (a typo in `"rol"` must not create a member with the default role).
public protocol JSONRequestBody: Decodable, Sendable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension Request {
    /// Decodes a JSON object body strictly: 415 for another content type, 413 when too large, 400 for malformed JSON,
    /// 422 naming each unknown or wrongly typed field.
    public func decodeJSON<Body: JSONRequestBody>(_ type: Body.Type, context: some RequestContext) async throws -> Body {
        let mediaType = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", title: "Unsupported media type",
                detail: "Send the body as JSON with 'Content-Type: application/json'.")
        }
        let body = self.body
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw Problem.malformed("The body is not valid JSON.")
        }
        guard let dictionary = object as? [String: Any] else {
            throw Problem.malformed("The body must be a JSON object.")
        }
        let allowed = Set(Body.CodingKeys.allCases.map(\.stringValue))
        let unknown = dictionary.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw Problem.invalid(unknown.map {
                .init(field: $0, message: "unknown field; accepted fields are \(allowed.sorted().joined(separator: ", "))")
            })
        }
        do {
            return try JSONDecoder().decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw Problem.invalid([Self.fieldError(error)])
        }
    }

    static func fieldError(_ error: DecodingError) -> Problem.FieldError {
        // `path_rules[2].pattern`, as `PricingPolicyIssue` and the docs name fields.
        let path = DecodingError.fieldPath
        switch error {
        case .keyNotFound(let key, let context):
            return .init(field: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context):
            return .init(field: path(context.codingPath), message: "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            return .init(field: path(context.codingPath), message: "must be \(Self.describe(type)), not null")
        case .dataCorrupted(let context):
            return .init(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return .init(field: "", message: "cannot be decoded")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "an integer"
        case is [String].Type, is [Any].Type: "an array"
        default: "a \(type)"
        }
    }
}
