import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import TollgateCore
#if canImport(Glibc)
import Glibc
#endif

/// The append-only, crash-safe record of every charge, written before the charged response is released.
///
/// Records are JSON lines in segment files `usage-<first sequence>.log`. One writer thread takes everything queued,
/// writes it and calls `fdatasync` once (group commit), then completes the waiting requests; under load many charges
/// share one sync. `usage.acked` holds the highest sequence the control plane has acknowledged; segments wholly at
/// or below it are deleted. On start the spool re-reads its segments, cuts a torn last line (a crash mid-write),
/// and resumes numbering after the highest sequence seen, so a restarted agent re-sends exactly what was not
/// acknowledged, under the same sequence numbers, and the control plane's (agent, sequence) key absorbs repeats.
public final class UsageSpool: Sendable {
    private struct Pending {
        let record: UsageRecord
        let line: [UInt8]
        let promise: EventLoopPromise<UsageRecord>
    }

    private struct State {
        var nextSequence: UInt64
        var acknowledged: UInt64
        var queue: [Pending] = []
        /// Durable but not yet acknowledged, in sequence order.
        var unacknowledged: [UsageRecord] = []
        var segments: [(firstSequence: UInt64, url: URL)]
        var currentFD: Int32 = -1
        var currentSize: Int = 0
        var stopped = false
    }

    public static let segmentLimit = 8 << 20

    private let directory: URL
    private let state: NIOLockedValueBox<State>
    private let wakeUp = ConditionLock(value: 0)
    private let logger: Logger
    private let encoder = FleetJSON.encoder()

    public init(directory: URL, logger: Logger) throws {
        self.directory = directory
        self.logger = logger
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let acknowledged = Self.readAcknowledged(directory)
        var segments: [(UInt64, URL)] = []
        var unacknowledged: [UsageRecord] = []
        var highest = acknowledged
        let decoder = FleetJSON.decoder()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("usage-") && $0.hasSuffix(".log") }.sorted()
        for name in names {
            guard let first = UInt64(name.dropFirst(6).dropLast(4)) else { continue }
            let url = directory.appendingPathComponent(name)
            let records = try Self.recover(url, decoder: decoder, logger: logger)
            segments.append((first, url))
            for record in records {
                highest = max(highest, record.sequence)
                if record.sequence > acknowledged { unacknowledged.append(record) }
            }
        }
        state = NIOLockedValueBox(
            State(
                nextSequence: highest + 1, acknowledged: acknowledged, unacknowledged: unacknowledged,
                segments: segments.map { (firstSequence: $0.0, url: $0.1) }))
        if !unacknowledged.isEmpty {
            logger.notice("usage spool recovered charges not yet acknowledged", metadata: [
                "count": "\(unacknowledged.count)", "first_sequence": "\(unacknowledged[0].sequence)",
            ])
        }
        let thread = Thread { [self] in writeLoop() }
        thread.name = "tollgate-usage-spool"
        thread.start()
    }

    /// Numbers the charge and makes it durable; the future succeeds once it is on disk.
    public func append(_ draft: UsageDraft, on eventLoop: any EventLoop) -> EventLoopFuture<UsageRecord> {
        let promise = eventLoop.makePromise(of: UsageRecord.self)
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            let record = UsageRecord(
                sequence: state.nextSequence, crawlerAccountID: draft.crawlerAccountID, siteID: draft.siteID,
                url: draft.url, price: draft.price, occurredAt: Date(), requestKey: draft.requestKey)
            guard var line = try? encoder.encode(record) else { return false }
            line.append(UInt8(ascii: "\n"))
            state.nextSequence += 1
            state.queue.append(Pending(record: record, line: Array(line), promise: promise))
            return true
        }
        guard accepted else {
            promise.fail(UsageSpoolError.stopped)
            return promise.futureResult
        }
        wakeUp.lock()
        wakeUp.unlock(withValue: 1)
        return promise.futureResult
    }

    /// Up to `limit` durable charges the control plane has not acknowledged, oldest first.
    public func unacknowledged(limit: Int) -> [UsageRecord] {
        state.withLockedValue { Array($0.unacknowledged.prefix(limit)) }
    }

    public var unacknowledgedCount: Int { state.withLockedValue { $0.unacknowledged.count } }

    public var acknowledgedSequence: UInt64 { state.withLockedValue { $0.acknowledged } }

    /// Records that the control plane has everything up to `sequence`; durable before it returns.
    public func acknowledge(through sequence: UInt64) throws {
        try DurableFile.replace(directory.appendingPathComponent("usage.acked"), with: Data("\(sequence)\n".utf8))
        let obsolete = state.withLockedValue { state -> [URL] in
            state.acknowledged = max(state.acknowledged, sequence)
            state.unacknowledged.removeAll { $0.sequence <= sequence }
            // A segment is wholly acknowledged when the next one starts at or below acknowledged + 1.
            var removable: [URL] = []
            while state.segments.count > 1, state.segments[1].firstSequence <= state.acknowledged + 1 {
                removable.append(state.segments.removeFirst().url)
            }
            return removable
        }
        for url in obsolete { unlink(url.path) }
    }

    /// Finishes what is queued and stops the writer thread.
    public func close() {
        state.withLockedValue { $0.stopped = true }
        wakeUp.lock()
        wakeUp.unlock(withValue: 1)
        while state.withLockedValue({ $0.currentFD != -2 }) { usleep(1000) }
    }

    private func writeLoop() {
        while true {
            wakeUp.lock(whenValue: 1)
            wakeUp.unlock(withValue: 0)
            let (batch, stopped) = state.withLockedValue { state -> ([Pending], Bool) in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.queue, state.stopped)
            }
            if !batch.isEmpty { write(batch) }
            if stopped && state.withLockedValue({ $0.queue.isEmpty }) {
                state.withLockedValue {
                    if $0.currentFD >= 0 { Glibc.close($0.currentFD) }
                    $0.currentFD = -2
                }
                return
            }
        }
    }

    private func write(_ batch: [Pending]) {
        do {
            let fd = try segment(startingAt: batch[0].record.sequence)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batch.reduce(0) { $0 + $1.line.count })
            for pending in batch { bytes.append(contentsOf: pending.line) }
            try bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw DurableFileError.system("write usage spool", errno)
                    }
                    offset += written
                }
            }
            guard fdatasync(fd) == 0 else { throw DurableFileError.system("fdatasync usage spool", errno) }
            state.withLockedValue {
                $0.currentSize += bytes.count
                $0.unacknowledged.append(contentsOf: batch.map(\.record))
            }
            for pending in batch { pending.promise.succeed(pending.record) }
        } catch {
            // Nothing of this batch is acknowledged to a client; the requests answer 500 and are not billed.
            logger.critical("usage spool write failed; charged responses are refused", metadata: ["error": "\(error)"])
            state.withLockedValue {
                if $0.currentFD >= 0 { Glibc.close($0.currentFD) }
                $0.currentFD = -1
            }
            for pending in batch { pending.promise.fail(error) }
        }
    }

    /// The file descriptor to append to, starting a new segment when there is none or the current one is full.
    private func segment(startingAt sequence: UInt64) throws -> Int32 {
        let current = state.withLockedValue { ($0.currentFD, $0.currentSize, $0.segments.last) }
        if current.0 >= 0, current.1 < Self.segmentLimit { return current.0 }
        if current.0 >= 0 { Glibc.close(current.0) }
        let name = "usage-" + String(repeating: "0", count: max(0, 20 - String(sequence).count)) + "\(sequence).log"
        let url = directory.appendingPathComponent(name)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DurableFileError.system("open \(url.path)", errno) }
        try DurableFile.syncDirectory(directory)
        state.withLockedValue {
            $0.currentFD = fd
            $0.currentSize = 0
            if $0.segments.last?.url != url { $0.segments.append((firstSequence: sequence, url: url)) }
        }
        return fd
    }

    private static func readAcknowledged(_ directory: URL) -> UInt64 {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("usage.acked"), encoding: .utf8) else {
            return 0
        }
        return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Reads a segment's records; a last line without its newline was torn by a crash and is cut off (its
    /// request never got an answer, since the answer waits for the sync that did not happen).
    private static func recover(_ url: URL, decoder: JSONDecoder, logger: Logger) throws -> [UsageRecord] {
        let data = try Data(contentsOf: url)
        var records: [UsageRecord] = []
        var lineStart = data.startIndex
        var validEnd = data.startIndex
        while let newline = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = data[lineStart..<newline]
            if !line.isEmpty {
                guard let record = try? decoder.decode(UsageRecord.self, from: line) else {
                    throw UsageSpoolError.corrupt(url.path, offset: lineStart)
                }
                records.append(record)
            }
            lineStart = data.index(after: newline)
            validEnd = lineStart
        }
        if validEnd < data.endIndex {
            logger.warning("usage spool: cutting a torn last line", metadata: [
                "file": "\(url.lastPathComponent)", "bytes": "\(data.endIndex - validEnd)",
            ])
            guard truncate(url.path, off_t(validEnd)) == 0 else { throw DurableFileError.system("truncate \(url.path)", errno) }
        }
        return records
    }
}

public enum UsageSpoolError: Error, CustomStringConvertible {
    case stopped
    case corrupt(String, offset: Int)

    public var description: String {
        switch self {
        case .stopped: "the usage spool is shut down"
        case .corrupt(let file, let offset):
            "usage spool file \(file) is corrupt at byte \(offset); move it aside after shipping what precedes it"
        }
    }
}
