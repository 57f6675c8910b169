/// The host names a site answers to: ASCII DNS names (RFC 1123 labels) of at least two labels, ending in a label
/// that starts with a letter (so no IPv4 addresses), at most 253 characters, without scheme, port, path or
/// trailing dot. Internationalised names must be sent in their punycode (`xn--`) form: the server does not
/// convert them, so what is stored is exactly what edge agents compare with the `Host` header.
enum Hostnames {
    static let maxCount = 50
    static let maxLength = 253
    /// The same rule for the OpenAPI schema (which cannot lowercase, so it admits both cases).
    static let pattern = #"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"#

    /// Lowercased and deduplicated (first occurrence wins), or a 422 naming every bad entry.
    static func normalize(_ raw: [String], field: String = "hostnames") throws -> [String] {
        guard !raw.isEmpty else { throw Problem.invalid(field: field, "must list at least one host name, like www.example.com") }
        guard raw.count <= maxCount else { throw Problem.invalid(field: field, "must list at most \(maxCount) host names") }
        var errors: [Problem.FieldError] = []
        var seen: Set<String> = []
        var result: [String] = []
        for (index, name) in raw.enumerated() {
            if let message = problem(with: name) {
                errors.append(.init(field: "\(field)[\(index)]", message: message))
                continue
            }
            let lowercased = name.lowercased()
            if seen.insert(lowercased).inserted { result.append(lowercased) }
        }
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return result
    }

    /// What is wrong with `name`, phrased as advice, or nil when it is a valid host name.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.contains("://") { return "must be a host name like www.example.com, without a scheme such as https://" }
        if name.contains("/") || name.contains("?") || name.contains("#") { return "must be a host name only, without a path" }
        if name.contains("[") || name.filter({ $0 == ":" }).count > 1 { return "must be a DNS name, not an IP address" }
        if name.contains(":") { return "must not include a port; the edge matches the host name alone" }
        if name.contains("@") { return "must be a host name only, without user information" }
        if !name.unicodeScalars.allSatisfy(\.isASCII) {
            return "must be ASCII; give an internationalised name in its punycode form (xn--…), e.g. xn--bcher-kva.example for bücher.example"
        }
        if name.utf8.count > maxLength { return "must be at most \(maxLength) characters" }
        if name.hasSuffix(".") { return "must not end with a dot" }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) { return "must not contain empty labels (two dots in a row, or a leading dot)" }
        if labels.count < 2 { return "must be a fully qualified name with at least two labels, like example.com" }
        for label in labels {
            if label.utf8.count > 63 { return "label \"\(label)\" is longer than 63 characters" }
            if !label.utf8.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) {
                return "label \"\(label)\" may contain only letters, digits and hyphens"
            }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "label \"\(label)\" must not start or end with a hyphen" }
        }
        if let first = labels.last?.utf8.first, !isLetter(first) {
            return labels.allSatisfy({ $0.utf8.allSatisfy(isDigit) })
                ? "must be a DNS name, not an IP address" : "the last label (the top-level domain) must start with a letter"
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
    private static func isLetterOrDigit(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
}
