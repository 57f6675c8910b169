/// Our reference on a charge or refund: 1–20 characters of A–Z and 0–9, the widest form every vendor keeps unchanged
/// (Authorize.Net's invoice number is the tightest). Adapters check it before anything goes on the wire.
public enum GatewayReference {
    public static func check(_ reference: String) throws(GatewayError) {
        guard (1...20).contains(reference.utf8.count),
            reference.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { throw .invalidRequest(code: "reference", message: "a reference is 1–20 characters of A–Z and 0–9", field: "reference") }
    }
}
