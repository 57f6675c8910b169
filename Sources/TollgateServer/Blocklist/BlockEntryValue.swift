import TollgateCore

/// What a blocklist entry's value must be for its scope. The patterns are also the OpenAPI schema's, so the values
/// the document calls valid are exactly the ones accepted: an IPv4 address in dotted decimal without leading zeros
/// or an IPv6 address in hexadecimal groups (no embedded IPv4, no zone); a range is either with a prefix length
/// the family allows; a crawler is a robots.txt product token; a user-agent substring is visible text.
enum BlockEntryValue {
    private static let octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    static let ipv4 = "(?:\(octet)\\.){3}\(octet)"
    private static let group = "[0-9A-Fa-f]{1,4}"
    static let ipv6 =
        "(?:(?:\(group):){7}\(group)|(?:\(group):){1,7}:|(?:\(group):){1,6}:\(group)|(?:\(group):){1,5}(?::\(group)){1,2}"
        + "|(?:\(group):){1,4}(?::\(group)){1,3}|(?:\(group):){1,3}(?::\(group)){1,4}|(?:\(group):){1,2}(?::\(group)){1,5}"
        + "|\(group):(?::\(group)){1,6}|:(?:(?::\(group)){1,7}|:))"
    static let ipPattern = "^(?:\(ipv4)|\(ipv6))$"
    static let rangePattern = "^(?:\(ipv4)/(?:3[0-2]|[12]?[0-9])|\(ipv6)/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))$"
    static let crawlerPattern = "^[A-Za-z][A-Za-z0-9_-]{0,63}$"
    static let maxUserAgentLength = 200

    /// The value as stored (addresses lower-cased), or a 422 naming `field`.
    static func normalize(_ raw: String, scope: SyncBlockEntry.Scope, field: String = "value") throws -> String {
        func matches(_ pattern: String) -> Bool { (try? Regex(pattern).wholeMatch(in: raw)) != nil }
        switch scope {
        case .ip:
            guard matches(ipPattern) else {
                throw Problem.invalid(field: field, "must be an IPv4 address like 203.0.113.7 or an IPv6 address like 2001:db8::1")
            }
            return raw.lowercased()
        case .range:
            guard matches(rangePattern) else {
                throw Problem.invalid(
                    field: field, "must be a CIDR range like 203.0.113.0/24 (prefix 0–32) or 2001:db8::/32 (prefix 0–128)")
            }
            return raw.lowercased()
        case .crawler:
            guard matches(crawlerPattern) else {
                throw Problem.invalid(field: field, "must be a crawler's product token like GPTBot (a letter, then letters, digits, _ or -; at most 64)")
            }
            return raw
        case .userAgent:
            guard raw.unicodeScalars.count <= maxUserAgentLength else {
                throw Problem.invalid(field: field, "must be at most \(maxUserAgentLength) characters")
            }
            return try Validation.text(raw, field: field, required: true, max: maxUserAgentLength)
        }
    }
}
