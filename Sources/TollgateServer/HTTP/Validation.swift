import Foundation

/// Field rules shared by the API and the dashboard forms, reported as `Problem.FieldError`s.
enum Validation {
    static func email(_ raw: String, field: String = "email") throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            email.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value != 127 && !"<>()[]\\,;:\"".unicodeScalars.contains($0) })
        else {
            throw Problem.invalid(field: field, "must be an email address like name@example.com")
        }
        return email
    }

    static func password(_ password: String, field: String = "password") throws {
        guard password.count >= 10 else { throw Problem.invalid(field: field, "must be at least 10 characters") }
        guard password.utf8.count <= 1024 else { throw Problem.invalid(field: field, "must be at most 1024 bytes") }
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
