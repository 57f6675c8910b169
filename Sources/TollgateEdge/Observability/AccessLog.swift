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
        var line: [UInt8] = []
        line.reserveCapacity(384)
        line.append(contentsOf: #"{"ts":""#.utf8)
        line.append(contentsOf: timestamp().utf8)
        line.append(contentsOf: #"","type":"access""#.utf8)
        Self.append("client", request.clientAddress, to: &line)
        Self.append("method", request.method, to: &line)
        Self.append("host", request.authority, to: &line)
        Self.append("path", request.path, to: &line)
        Self.append("query", request.query, to: &line)
        line.append(contentsOf: #","status":"#.utf8)
        line.append(contentsOf: String(status.code).utf8)
        Self.append("action", record.action, to: &line)
        Self.append("reason", record.reason, to: &line)
        Self.append("site", record.siteID?.uuidString.lowercased(), to: &line)
        Self.append("crawler", record.crawler, to: &line)
        Self.append("price", record.price, to: &line)
        Self.append("user_agent", request.headers.first(name: "user-agent"), to: &line)
        line.append(contentsOf: #","duration_ms":"#.utf8)
        line.append(contentsOf: String((seconds * 1_000_000).rounded() / 1000).utf8)
        line.append(contentsOf: "}\n".utf8)
        buffer.withLockedValue { $0.append(contentsOf: line) }
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

    /// Appends `,"name":"value"` (nothing for nil), escaping as JSON requires; most values need no escaping and are
    /// copied as they are.
    static func append(_ name: String, _ value: String?, to line: inout [UInt8]) {
        guard var value else { return }
        line.append(contentsOf: #",""#.utf8)
        line.append(contentsOf: name.utf8)
        line.append(contentsOf: #"":""#.utf8)
        value.withUTF8 { bytes in
            if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                line.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    line.append(contentsOf: #"\u00"#.utf8)
                    line.append(hex[Int(byte >> 4)])
                    line.append(hex[Int(byte & 0xF)])
                default: line.append(byte)
                }
            }
        }
        line.append(UInt8(ascii: "\""))
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
