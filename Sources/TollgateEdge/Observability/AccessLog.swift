import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import TollgateCore
#if canImport(Glibc)
import Glibc
#endif

/// One JSON line per request on standard output, with the decision and its reason. A request only leaves its fields
/// in a buffer; a background thread, running below the event loops' priority (nice 10), formats and writes them every
/// 20 ms, so neither formatting nor the terminal or a log pipe is on a request's path. When the output cannot keep up
/// (a stalled pipe), requests past `maxBufferedLines` per event loop are dropped and counted rather than held in
/// memory.
public final class AccessLog: DecisionObserver, Sendable {
    /// Seconds between writes.
    static let flushInterval = 0.02
    /// The writer's nice value: below the event loops, high enough to keep up when every core is busy.
    static let writerNice: Int32 = 10

    /// What a line says, as the request left it (strings are shared, not copied).
    private struct Entry: Sendable {
        let request: EdgeRequest
        let record: DecisionRecord
        let status: UInt
        let seconds: Double
        let time: timespec
    }

    private struct Buffers: Sendable {
        /// Filled by requests; the writer swaps in the (emptied) spare, so neither gives its memory back.
        var filling: [Entry] = []
        var spare: [Entry] = []
        var dropped = 0
    }

    /// One buffer per recording thread (each event loop has its own).
    private let buffers = PerThreadShards { Buffers() }
    private let fd: Int32
    /// Per recording thread.
    private let maxBufferedLines: Int
    /// 0 running, 1 asked to stop, 2 stopped after writing everything.
    private let state = ConditionLock(value: 0)
    private let closed = NIOLockedValueBox(false)

    public init(fd: Int32 = STDOUT_FILENO, maxBufferedLines: Int = 100_000) {
        self.fd = fd
        self.maxBufferedLines = maxBufferedLines
        let thread = Thread { [self] in
            // On Linux a nice value belongs to a thread: `who` 0 is this thread alone, not the event loops.
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.writerNice)
            var writer = LineWriter()
            while !state.lock(whenValue: 1, timeoutSeconds: Self.flushInterval) {
                flush(&writer)
            }
            flush(&writer)
            state.unlock(withValue: 2)
        }
        thread.name = "tollgate-access-log"
        thread.start()
    }

    /// Lines dropped because the output did not keep up.
    public var droppedLines: Int { buffers.all.reduce(0) { total, shard in total + shard.withLockedValue { $0.dropped } } }

    public func observe(_ request: EdgeRequest, record: DecisionRecord, status: HTTPResponseStatus, seconds: Double) {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let entry = Entry(request: request, record: record, status: status.code, seconds: seconds, time: time)
        buffers.local.withLockedValue { buffers in
            if buffers.filling.count < maxBufferedLines {
                buffers.filling.append(entry)
            } else {
                buffers.dropped += 1
            }
        }
    }

    /// Writes what is buffered and stops the writer; returns once the lines are out, or after 2 s when the output is
    /// stalled (a blocked pipe must not keep the agent from exiting).
    public func close() {
        guard closed.withLockedValue({ closed in defer { closed = true }; return !closed }) else { return }
        state.lock()
        state.unlock(withValue: 1)
        if state.lock(whenValue: 2, timeoutSeconds: 2) { state.unlock() }
    }

    private func flush(_ writer: inout LineWriter) {
        for shard in buffers.all {
            // The filled buffer is taken out and the spare (empty, with its capacity) put in its place.
            var entries = shard.withLockedValue { buffers -> [Entry] in
                let full = buffers.filling
                buffers.filling = buffers.spare
                buffers.spare = []
                return full
            }
            guard !entries.isEmpty else { continue }
            for entry in entries { writer.append(entry) }
            entries.removeAll(keepingCapacity: true)
            shard.withLockedValue { $0.spare = entries }
        }
        writer.write(to: fd)
    }

    /// Formats lines into one reused byte buffer, without `String` formatting: numbers, the UUID and the time are
    /// written as bytes.
    private struct LineWriter {
        var bytes: [UInt8] = []

        mutating func append(_ entry: Entry) {
            let request = entry.request
            let record = entry.record
            bytes.append(contentsOf: #"{"ts":""#.utf8)
            RFC3339.append(secondsSince1970: entry.time.tv_sec, milliseconds: entry.time.tv_nsec / 1_000_000, to: &bytes)
            bytes.append(contentsOf: #"","type":"access""#.utf8)
            JSONBytes.appendMember("client", request.clientAddress, to: &bytes)
            JSONBytes.appendMember("method", request.method, to: &bytes)
            JSONBytes.appendMember("host", request.authority, to: &bytes)
            JSONBytes.appendMember("path", request.path, to: &bytes)
            JSONBytes.appendMember("query", request.query, to: &bytes)
            bytes.append(contentsOf: #","status":"#.utf8)
            JSONBytes.appendDecimal(Int(entry.status), to: &bytes)
            JSONBytes.appendMember("action", record.action, to: &bytes)
            JSONBytes.appendMember("reason", record.reason, to: &bytes)
            if let site = record.siteID {
                bytes.append(contentsOf: #","site":""#.utf8)
                JSONBytes.appendUUID(site, to: &bytes)
                bytes.append(UInt8(ascii: "\""))
            }
            JSONBytes.appendMember("crawler", record.crawler, to: &bytes)
            JSONBytes.appendMember("price", record.price, to: &bytes)
            JSONBytes.appendMember("user_agent", request.headers.first(name: "user-agent"), to: &bytes)
            // Milliseconds with three decimals, from whole microseconds.
            let micros = entry.seconds.isFinite ? max(0, Int((entry.seconds * 1_000_000).rounded())) : 0
            bytes.append(contentsOf: #","duration_ms":"#.utf8)
            JSONBytes.appendDecimal(micros / 1000, to: &bytes)
            bytes.append(UInt8(ascii: "."))
            JSONBytes.appendDecimal(micros % 1000, minimumDigits: 3, to: &bytes)
            bytes.append(contentsOf: "}\n".utf8)
        }

        /// Writes what was formatted and empties the buffer (keeping its memory).
        mutating func write(to fd: Int32) {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written <= 0 {
                        if written < 0 && errno == EINTR { continue }
                        break
                    }
                    offset += written
                }
            }
            bytes.removeAll(keepingCapacity: true)
        }
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
