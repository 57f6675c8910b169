import Foundation

/// Reads fields from an already verified JSON body. Parsing happens only after the signature holds, and only to
/// extract the event identity; the bytes that were verified are what callers keep.
struct WebhookJSON {
    let object: [String: Any]

    init(_ body: [UInt8]) throws(WebhookVerificationError) {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw .malformedPayload("body is not JSON")
        }
        guard let object = parsed as? [String: Any] else { throw .malformedPayload("body is not a JSON object") }
        self.object = object
    }

    init(object: [String: Any]) {
        self.object = object
    }

    func string(_ key: String) -> String? {
        object[key] as? String
    }

    func requiredString(_ key: String) throws(WebhookVerificationError) -> String {
        guard let value = string(key), !value.isEmpty else {
            throw .malformedPayload("missing string field \"\(key)\"")
        }
        return value
    }

    func child(_ key: String) -> WebhookJSON? {
        (object[key] as? [String: Any]).map(WebhookJSON.init(object:))
    }

    /// An integer field, accepting only whole numbers (JSONSerialization hands numbers back as NSNumber).
    func integer(_ key: String) -> Int64? {
        guard let number = object[key] as? NSNumber, !WebhookJSON.isBoolean(number) else { return nil }
        let whole = number.int64Value
        return Double(whole) == number.doubleValue ? whole : nil
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        // A JSON true/false must not be read as 1/0.
        String(cString: number.objCType) == "c"
    }
}
