import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One JSON line per request on standard output, with the decision and its reason. Lines are buffered and written
/// by a background thread every 100 ms, so a request never waits on the terminal or a log pipe.
public final class AccessLog: DecisionObserver, Sendable {
    private let buffer = NIOLockedValueBox<[UInt8]>([])
    private let clock = NIOLockedValueBox<(second: Int, text: String)>((0, ""))
    private let fd: Int32
    private let stopped = NIOLockedValueBox(false)

    public init(fd: Int32 = STDOUT_FILENO) {
        self.fd = fd
        let thread = Thread { [self] in
            while !stopped.withLockedValue({ $0 }) {
                usleep(100_000)
                flush()
            }
            flush()
        }
        thread.name = "tollgate-access-log"
        thread.start()
    }

    public func observe(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        var line = "{\"ts\":\"\(timestamp())\",\"type\":\"access\""
        Self.append("client", request.clientAddress, to: &line)
        Self.append("method", request.method, to: &line)
        Self.append("host", request.authority, to: &line)
        Self.append("path", request.target, to: &line)
        line += ",\"status\":\(status.code)"
        Self.append("action", record.action, to: &line)
        Self.append("reason", record.reason, to: &line)
        Self.append("site", record.siteID?.uuidString.lowercased(), to: &line)
        Self.append("crawler", record.crawler, to: &line)
        Self.append("price", record.price, to: &line)
        Self.append("user_agent", request.headers.first(name: "user-agent"), to: &line)
        line += ",\"duration_ms\":\((seconds * 1_000_000).rounded() / 1000)}\n"
        buffer.withLockedValue { $0.append(contentsOf: line.utf8) }
    }

    /// RFC 3339 with milliseconds; the date part is formatted once per second, not per request.
    private func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        let second = Int(now)
        let prefix = clock.withLockedValue { clock -> String in
            if clock.second != second {
                clock = (second, Date(timeIntervalSince1970: Double(second)).formatted(.iso8601).dropLast().description)
            }
            return clock.text
        }
        let millis = Int((now - Double(second)) * 1000)
        return prefix + (millis < 10 ? ".00" : millis < 100 ? ".0" : ".") + "\(millis)Z"
    }

    public func close() {
        stopped.withLockedValue { $0 = true }
    }

    private func flush() {
        let bytes = buffer.withLockedValue { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    static func append(_ name: String, _ value: String?, to line: inout String) {
        guard let value else { return }
        line += ",\"\(name)\":\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20: line += String(format: "\\u%04x", scalar.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}

/// Fans a finished exchange out to several observers.
public struct DecisionObservers: DecisionObserver {
    let observers: [any DecisionObserver]

    public init(_ observers: [any DecisionObserver]) {
        self.observers = observers
    }

    public func observe(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        for observer in observers { observer.observe(request, record: record, status: status, seconds: seconds) }
    }
}
