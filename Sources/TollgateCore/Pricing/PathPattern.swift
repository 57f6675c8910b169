/// A robots.txt path pattern (RFC 9309 §2.2.2): `*` matches any run of octets, a final `$` anchors the end, and
/// otherwise the pattern matches a prefix of the path (with query). Paths and patterns are compared after the same
/// percent-encoding normalisation, so `/caf%C3%A9` and `/café` are one path and `%7E` equals `~`.
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 2048

    /// The pattern as written.
    public let source: String
    /// Normalised octets; `*` is the wildcard, and `isAnchored` says whether a `$` ended the source.
    private let octets: [UInt8]
    private let isAnchored: Bool
    /// `octets` split at each `*`, empty runs included.
    private let segments: [ArraySlice<UInt8>]

    public init(_ source: String) throws(PathPatternError) {
        guard !source.isEmpty else { throw PathPatternError.empty }
        guard source.utf8.count <= Self.maximumLength else { throw PathPatternError.tooLong(source.utf8.count) }
        guard source.hasPrefix("/") || source.hasPrefix("*") else { throw PathPatternError.mustStartWithSlash(source) }
        guard !source.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "#") }) else {
            throw PathPatternError.invalidCharacter(source)
        }
        var bytes = Array(source.utf8)
        isAnchored = bytes.last == UInt8(ascii: "$")
        if isAnchored { bytes.removeLast() }
        guard let normalized = Self.normalize(bytes, strict: true) else { throw PathPatternError.invalidPercentEncoding(source) }
        self.source = source
        octets = normalized
        segments = normalized.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false)
    }

    /// Length used for "longest match wins": octets of the normalised pattern, counting `*` and `$`.
    public var length: Int { octets.count + (isAnchored ? 1 : 0) }

    public var description: String { source }

    /// Two patterns with equal keys match exactly the same paths (`/a%7E` and `/a~` for instance).
    var normalizedKey: [UInt8] { octets + (isAnchored ? [UInt8(ascii: "$")] : []) }

    /// Whether the pattern matches `path` (path plus optional `?query`).
    public func matches(_ path: String) -> Bool {
        matches(normalizedPath: Self.normalize(path))
    }

    func matches(normalizedPath path: [UInt8]) -> Bool {
        // Literal runs between `*`s, matched greedily: the first run at the start, each middle run at its leftmost
        // occurrence (which leaves the most room for the rest), the last at the end when anchored. This is exact for
        // `*`-only patterns and allocation-free, so long attacker-chosen paths stay cheap.
        let runs = segments
        guard path.starts(with: runs[0]) else { return false }
        var position = runs[0].count
        if runs.count == 1 { return !isAnchored || position == path.count }
        for run in runs.dropFirst().dropLast() {
            guard let start = Self.firstIndex(of: run, in: path, from: position) else { return false }
            position = start + run.count
        }
        let last = runs[runs.count - 1]
        if isAnchored { return path.count - position >= last.count && path.suffix(last.count).elementsEqual(last) }
        return Self.firstIndex(of: last, in: path, from: position) != nil
    }

    private static func firstIndex(of run: ArraySlice<UInt8>, in path: [UInt8], from start: Int) -> Int? {
        guard !run.isEmpty else { return start }
        guard path.count - start >= run.count else { return nil }
        for candidate in start...(path.count - run.count) where path[candidate..<(candidate + run.count)].elementsEqual(run) {
            return candidate
        }
        return nil
    }

    /// Normalises a request path for matching. Invalid escapes are kept as literal text, since a request path is
    /// what it is and must still be matchable.
    static func normalize(_ path: String) -> [UInt8] {
        normalize(Array(path.utf8), strict: false) ?? []
    }

    /// RFC 9309 §2.2.2: octets outside US-ASCII are percent-encoded, percent-encoded unreserved characters are
    /// decoded, and remaining escapes get upper-case hex. A `%` not followed by two hex digits gives nil when
    /// `strict`, and is otherwise taken literally (encoded as `%25`).
    static func normalize(_ bytes: [UInt8], strict: Bool) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else {
                    if strict { return nil }
                    output.append(contentsOf: percentEncoded(byte))
                    index += 1
                    continue
                }
                let decoded = high << 4 | low
                if isUnreserved(decoded) {
                    output.append(decoded)
                } else {
                    output.append(contentsOf: percentEncoded(decoded))
                }
                index += 3
                continue
            }
            if byte >= 0x80 || byte <= 0x20 || byte == 0x7F {
                output.append(contentsOf: percentEncoded(byte))
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func percentEncoded(_ byte: UInt8) -> [UInt8] {
        [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
