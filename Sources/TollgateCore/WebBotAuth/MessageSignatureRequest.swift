/// What RFC 9421 needs from an HTTP request to build a signature base: the parts of the target URI and the header
/// fields. The edge adapts its own request type to this; `MessageSignatureRequestHead` is a plain value version.
public protocol MessageSignatureRequest {
    /// The request method as sent, e.g. `GET`.
    var method: String { get }
    /// `https` or `http`.
    var scheme: String { get }
    /// Host and optional port as received (Host header or HTTP/2 `:authority`); normalised when signed.
    var authority: String { get }
    /// The absolute path, percent-encoded as received, without the query.
    var path: String { get }
    /// The query without the leading `?`, or nil when the target has none.
    var query: String? { get }
    /// The values of every field line named `name` (given in lower case; match case-insensitively), in order.
    func headerValues(named name: String) -> [String]
}

extension MessageSignatureRequest {
    /// All field lines of `name` combined as RFC 9110 §5.3 and RFC 9421 §2.1 require: each value trimmed of
    /// surrounding whitespace, joined with ", "; nil when the field is absent.
    public func combinedHeaderValue(named name: String) -> String? {
        let values = headerValues(named: name)
        guard !values.isEmpty else { return nil }
        return values.map { $0.trimmingHTTPWhitespace() }.joined(separator: ", ")
    }
}

extension String {
    func trimmingHTTPWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
