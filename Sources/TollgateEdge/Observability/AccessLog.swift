import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One JSON line per request on standard output, with the decision and its reason. Lines are buffered and written
/// by a background thread every 20 ms, so a request never waits on the terminal or a log pipe. The writer runs at a
/// lower scheduling priority than the event loops, in small bursts, so logging does not add to request latency;
/// when the output cannot keep up (a stalled pipe), lines past `maxBufferedBytes` are dropped and counted rather
/// than held in memory.
public final class AccessLog: DecisionObserver, Sendable {
    static let flushInterval: useconds_t = 20_000
    /// The writer's nice value: below the event loops, high enough to keep up when every core is busy.
    static let writerNice: Int32 = 10

    private struct Buffers {
        /// Filled by requests; the writer swaps in the (emptied) spare, so neither ever gives its memory back.
        var filling: [UInt8] = []
        var spare: [UInt8] = []
        var dropped = 0
    }

    private let buffers = NIOLockedValueBox(Buffers())
    private let clock = NIOLockedValueBox<(second: Int, prefix: [UInt8])>((0, []))
    private let fd: Int32
    private let maxBufferedBytes: Int
    private let stopped = NIOLockedValueBox(false)

    public init(fd: Int32 = STDOUT_FILENO, maxBufferedBytes: Int = 32 << 20) {
        self.fd = fd
        self.maxBufferedBytes = maxBufferedBytes
        let thread = Thread { [self] in
            // On Linux a nice value belongs to a thread: `who` 0 is this thread alone, not the event loops.
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.writerNice)
            while !stopped.withLockedValue({ $0 }) {
                usleep(Self.flushInterval)
                flush()
            }
            flush()
        }
        thread.name = "tollgate-access-log"
        thread.start()
    }

    /// Lines dropped because the output did not keep up.
    public var droppedLines: Int { buffers.withLockedValue { $0.dropped } }

    // Runs for every request, so nothing here formats through String: numbers, the UUID and the time are written
    // as bytes.
    public func observe(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        var line: [UInt8] = []
        line.reserveCapacity(512)
        line.append(contentsOf: #"{"ts":""#.utf8)
        appendTimestamp(to: &line)
        line.append(contentsOf: #"","type":"access""#.utf8)
        Self.append("client", request.clientAddress, to: &line)
        Self.append("method", request.method, to: &line)
        Self.append("host", request.authority, to: &line)
        Self.append("path", request.path, to: &line)
        Self.append("query", request.query, to: &line)
        line.append(contentsOf: #","status":"#.utf8)
        Self.appendDecimal(Int(status.code), to: &line)
        Self.append("action", record.action, to: &line)
        Self.append("reason", record.reason, to: &line)
        if let site = record.siteID {
            line.append(contentsOf: #","site":""#.utf8)
            Self.appendUUID(site, to: &line)
            line.append(UInt8(ascii: "\""))
        }
        Self.append("crawler", record.crawler, to: &line)
        Self.append("price", record.price, to: &line)
        Self.append("user_agent", request.headers.first(name: "user-agent"), to: &line)
        // Milliseconds with three decimals, from whole microseconds.
        let micros = seconds.isFinite ? max(0, Int((seconds * 1_000_000).rounded())) : 0
        line.append(contentsOf: #","duration_ms":"#.utf8)
        Self.appendDecimal(micros / 1000, to: &line)
        line.append(UInt8(ascii: "."))
        Self.appendDecimal(micros % 1000, minimumDigits: 3, to: &line)
        line.append(contentsOf: "}\n".utf8)
        buffers.withLockedValue { buffers in
            if buffers.filling.count + line.count <= maxBufferedBytes {
                buffers.filling.append(contentsOf: line)
            } else {
                buffers.dropped += 1
            }
        }
    }

    /// RFC 3339 UTC with milliseconds; the part up to the second is formatted once per second, not per request.
    private func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = now.tv_sec
        clock.withLockedValue { clock in
            if clock.second != second {
                let text = Date(timeIntervalSince1970: Double(second)).formatted(.iso8601)  // …T12:00:00Z
                clock = (second, Array(text.utf8.dropLast()))
            }
            line.append(contentsOf: clock.prefix)
        }
        line.append(UInt8(ascii: "."))
        Self.appendDecimal(now.tv_nsec / 1_000_000, minimumDigits: 3, to: &line)
        line.append(UInt8(ascii: "Z"))
    }

    public func close() {
        stopped.withLockedValue { $0 = true }
    }

    private func flush() {
        // The filled buffer is taken out and the spare (empty, with its capacity) put in its place.
        var bytes = buffers.withLockedValue { buffers -> [UInt8] in
            let full = buffers.filling
            buffers.filling = buffers.spare
            buffers.spare = []
            return full
        }
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    break
                }
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
        buffers.withLockedValue { $0.spare = bytes }
    }

    static func appendDecimal(_ value: Int, minimumDigits: Int = 1, to line: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value.magnitude
        withUnsafeMutableBytes(of: &digits) { digits in
            repeat {
                digits[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 || count < minimumDigits
            if value < 0 { line.append(UInt8(ascii: "-")) }
            for index in stride(from: count - 1, through: 0, by: -1) { line.append(digits[index]) }
        }
    }

    /// Lower-case 8-4-4-4-12, as `uuidString.lowercased()` would give.
    static func appendUUID(_ uuid: UUID, to line: inout [UInt8]) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { line.append(UInt8(ascii: "-")) }
                line.append(hexDigits[Int(byte >> 4)])
                line.append(hexDigits[Int(byte & 0xF)])
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

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
                    line.append(contentsOf: #"\u00"#.utf8)
                    line.append(hexDigits[Int(byte >> 4)])
                    line.append(hexDigits[Int(byte & 0xF)])
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
