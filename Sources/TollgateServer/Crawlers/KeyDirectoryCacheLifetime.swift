import Foundation

/// How long a fetched directory is trusted before the next fetch: its `Cache-Control: max-age`, bounded so a
/// directory is neither fetched more than every 5 minutes nor kept longer than a day; 1 hour when it says nothing.
enum KeyDirectoryCacheLifetime {
    static let minimum = 300
    static let maximum = 86_400
    static let `default` = 3_600

    static func seconds(cacheControl: String?) -> Int {
        guard let cacheControl else { return `default` }
        var maxAge: Int?
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            switch parts.first {
            case "no-store", "no-cache": return minimum
            case "max-age":
                guard parts.count == 2 else { continue }
                let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                // RFC 9111 §1.2.2: a delta-seconds too large to represent means "very long".
                maxAge = value.allSatisfy(\.isNumber) && !value.isEmpty ? Int(value) ?? maximum : maxAge
            default: continue
            }
        }
        guard let maxAge else { return `default` }
        return min(max(maxAge, minimum), maximum)
    }
}
