import Foundation

/// Just enough XML reading to pull the de-duplication fields out of a verified Braintree notification:
/// `/notification/kind`, `/notification/timestamp` and the `id` directly under the subject's object
/// (`/notification/subject/<object>/id`). Braintree's payload is plain generated XML (no CDATA or DTD), so a tag
/// scanner that tracks the element path is sufficient and avoids FoundationXML (libxml2) in the gateway module.
struct BraintreeNotificationXML {
    let kind: String?
    let timestamp: String?
    let subjectID: String?

    init?(_ xml: String) {
        let bytes = Array(xml.utf8)
        var path: [String] = []
        var text: [UInt8] = []
        var found: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                text.append(bytes[index])
                index += 1
                continue
            }
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            let tag = bytes[(index + 1)..<close]
            index = close + 1
            guard let first = tag.first else { return nil }
            if first == UInt8(ascii: "?") || first == UInt8(ascii: "!") { continue }  // declaration or comment
            if first == UInt8(ascii: "/") {
                let name = String(decoding: tag.dropFirst(), as: UTF8.self)
                guard path.last == name else { return nil }
                let location = path.joined(separator: "/")
                let isSubjectID = path.count == 4 && path[0] == "notification" && path[1] == "subject" && name == "id"
                let key = isSubjectID ? "subject-id" : location
                if found[key] == nil { found[key] = Self.unescape(String(decoding: text, as: UTF8.self)) }
                path.removeLast()
                text.removeAll()
                continue
            }
            let selfClosing = tag.last == UInt8(ascii: "/")
            let nameEnd = tag.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\n") }) ?? tag.endIndex
            let name = String(decoding: tag[tag.startIndex..<nameEnd], as: UTF8.self)
            text.removeAll()
            if !selfClosing { path.append(name) }
        }
        guard path.isEmpty else { return nil }
        kind = found["notification/kind"]
        timestamp = found["notification/timestamp"]
        subjectID = found["subject-id"]
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
