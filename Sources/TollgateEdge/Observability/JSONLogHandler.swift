import Foundation
import Logging
import TollgateCore
#if canImport(Glibc)
import Glibc
#endif

/// swift-log as one JSON object per line on standard error: `{"ts","level","label","message",…metadata}`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Array(#"{"ts":""#.utf8)
        RFC3339.append(Date(), to: &line)
        line.append(UInt8(ascii: "\""))
        JSONBytes.appendMember("level", event.level.rawValue, to: &line)
        JSONBytes.appendMember("label", label, to: &line)
        JSONBytes.appendMember("message", event.message.description, to: &line)
        if let error = event.error { JSONBytes.appendMember("error", "\(error)", to: &line) }
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            JSONBytes.appendMember(key, "\(value)", to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
