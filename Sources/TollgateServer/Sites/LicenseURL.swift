/// A site's license or terms page, which the edge sends as `Link: <…>; rel="license"`: an absolute http(s) URL of
/// printable ASCII without `"`, `<` or `>` (so it fits between the angle brackets of a header), at most 2048 characters.
enum LicenseURL {
    static let maxLength = 2048
    /// The same rule for the OpenAPI schema.
    static let pattern = #"^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?([/?#][!#-;=?-~]*)?$"#

    static func validate(_ raw: String, field: String = "license_url") throws -> String {
        guard raw.unicodeScalars.count <= maxLength, (try? Regex(pattern).wholeMatch(in: raw)) != nil else {
            throw Problem.invalid(
                field: field, "must be an http or https URL like https://example.com/license (printable ASCII without \", < or >, at most \(maxLength) characters)")
        }
        return raw
    }
}
