/// A sync version: the xmin of the snapshot a bundle was read in (a PostgreSQL xid8), sent to agents as a decimal
/// string. Anything that is not one (empty, signs, spaces, too large) is no version, and gets a full bundle.
struct SyncVersion: Sendable, Hashable, CustomStringConvertible {
    let value: UInt64

    init(_ value: UInt64) { self.value = value }

    init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = UInt64(text)
        else { return nil }
        self.value = value
    }

    var description: String { String(value) }
}
