import Foundation

/// Field rules, reported as `Problem.FieldError`s. The OpenAPI schemas (`Schemas`) state the same rules, so a
/// body the document calls valid is accepted and one it calls invalid is refused.
enum Validation {
    /// ASCII addresses (RFC 5321 lengths: local part ≤ 64, labels ≤ 63) with a dotted domain ending in letters;
    /// internationalised addresses are not accepted yet.
    static let emailPattern =
        #"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"#
    static let maxPasswordLength = 1024

    static func email(_ raw: String, field: String = "email") throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard email.utf8.count <= 254, (try? Regex(emailPattern).wholeMatch(in: email)) != nil else {
            throw Problem.invalid(field: field, "must be an email address like name@example.com")
        }
        return email
    }

    static func password(_ password: String, field: String = "password") throws {
        // Code points, as JSON Schema's minLength and maxLength count them.
        let length = password.unicodeScalars.count
        guard length >= 10 else { throw Problem.invalid(field: field, "must be at least 10 characters") }
        guard length <= maxPasswordLength else { throw Problem.invalid(field: field, "must be at most \(maxPasswordLength) characters") }
    }

    static func text(_ raw: String, field: String, required: Bool, max: Int) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && value.isEmpty { throw Problem.invalid(field: field, "must not be empty") }
        guard value.count <= max else { throw Problem.invalid(field: field, "must be at most \(max) characters") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Problem.invalid(field: field, "must not contain control characters")
        }
        return value
    }

    static func role(_ raw: String, field: String = "role") throws -> Role {
        guard let role = Role(rawValue: raw) else {
            throw Problem.invalid(field: field, "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }
}
