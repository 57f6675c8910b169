import Foundation
import Hummingbird
import TollgateCore

/// An `application/x-www-form-urlencoded` body as browsers send it: ordered fields, a name may repeat
/// (checkbox groups).
struct FormData: Sendable {
    static let csrfField = "_csrf"
    let fields: [(name: String, value: String)]

    init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    init(request: Request, context: AppRequestContext) async throws {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", title: "Unsupported media type",
                detail: "Dashboard forms are sent as application/x-www-form-urlencoded.")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        try self.init(encoded: String(buffer: body))
    }

    init(encoded: String) throws {
        var fields: [(String, String)] = []
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw Problem.malformed("The form body is not valid URL encoding.")
            }
            fields.append((name, value))
        }
        self.fields = fields
    }

    private static func decode(_ raw: Substring) -> String? {
        raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The first value for `name`, or "" when the field is absent (an unticked box, an empty input).
    subscript(name: String) -> String {
        fields.first { $0.name == name }?.value ?? ""
    }

    func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// The named fields as a dictionary, for re-showing a form; passwords are never echoed back.
    func values(_ names: String...) -> [String: String] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, self[$0]) })
    }

    /// A form posted from a signed-in page: the person posting it, and its fields once its CSRF token checks out.
    static func signedIn(_ request: Request, context: AppRequestContext) async throws -> (Principal, FormData) {
        let principal = try context.requirePrincipal()
        let form = try await FormData(request: request, context: context)
        try form.requireCSRF(of: principal)
        return (principal, form)
    }

    /// A signed-in form must carry the session's CSRF token (the browser sends the cookie on its own).
    private func requireCSRF(of principal: Principal) throws {
        guard case .session(_, let token) = principal.credential, ConstantTime.equals(Array(self[Self.csrfField].utf8), Array(token.utf8))
        else { throw Self.staleForm }
    }

    static let staleForm = Problem(
        .forbidden, "csrf-token-invalid", title: "Form expired",
        detail: "This form is out of date or was not sent from the dashboard; reload the page and submit it again.")
}
