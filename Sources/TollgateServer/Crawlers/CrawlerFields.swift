import Foundation
import TollgateCore

/// Rules for the fields of a crawler, reported as `Problem.FieldError`s; `CrawlerSchemas` states the same rules.
enum CrawlerFields {
    /// RFC 9309 §2.2.1 product tokens are letters, `-` and `_`; digits are accepted too because real tokens use
    /// them (AI2Bot). The first character is a letter so a token is never a number.
    static let productTokenPattern = "^[A-Za-z][A-Za-z0-9_-]{0,63}$"
    static let maxNameLength = 200
    static let maxUserAgentLength = 500
    static let maxContactLength = 500
    static let maxKeys = 20

    static func productToken(_ raw: String) throws -> String {
        guard (try? Regex(productTokenPattern).wholeMatch(in: raw)) != nil else {
            throw Problem.invalid(
                field: "product_token",
                "must be a robots.txt product token like GPTBot: a letter, then up to 63 letters, digits, - or _")
        }
        return raw
    }

    static func contact(_ value: String) throws -> String {
        let message = "must be an email address (ops@bot.example) or an http(s) URL of a contact page, without surrounding spaces"
        guard value.count <= maxContactLength, value == value.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw Problem.invalid(field: "contact", message)
        }
        if (try? Validation.email(value, field: "contact")) != nil { return value }
        guard (try? Regex(contactURLPattern).wholeMatch(in: value)) != nil, URLComponents(string: value)?.host != nil else {
            throw Problem.invalid(field: "contact", message)
        }
        return value
    }

    /// A contact page: http(s), a host name, then URL characters only (RFC 3986).
    static let contactURLPattern =
        #"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?([/?#][A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*)?$"#

    static func purposes(_ raw: [String]) throws -> [CrawlPurpose] {
        let allowed = CrawlPurpose.allCases.map(\.rawValue).joined(separator: ", ")
        guard !raw.isEmpty else { throw Problem.invalid(field: "purposes", "must list at least one of \(allowed)") }
        var purposes: [CrawlPurpose] = []
        for (index, value) in raw.enumerated() {
            guard let purpose = CrawlPurpose(rawValue: value) else {
                throw Problem.invalid(field: "purposes[\(index)]", "must be one of \(allowed)")
            }
            guard !purposes.contains(purpose) else { throw Problem.invalid(field: "purposes[\(index)]", "repeats \(value)") }
            purposes.append(purpose)
        }
        return purposes
    }

    static func keyDirectoryURL(_ raw: String, allowlist: KeyDirectoryHostAllowlist) throws -> String {
        do {
            return try KeyDirectoryURL.parse(raw, allowlist: allowlist).string
        } catch {
            throw Problem.invalid(field: "key_directory_url", error.description)
        }
    }

    /// Runs each check, gathering every field's error so one answer lists them all.
    struct Collector {
        private(set) var errors: [Problem.FieldError] = []

        mutating func check<T>(_ body: () throws -> T) -> T? {
            do {
                return try body()
            } catch let problem as Problem {
                errors += problem.errors
                return nil
            } catch {
                errors.append(.init(field: "", message: "\(error)"))
                return nil
            }
        }

        func finish() throws {
            if !errors.isEmpty { throw Problem.invalid(errors) }
        }
    }
}
