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
///
/// Memory stays bounded however long the control plane is away: at most `memoryLimit` unacknowledged records are
/// held for the shipper; past that they are only on disk, and are read back from the segments as the shipper gets
/// through the ones in memory.
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
        /// The oldest durable records not yet acknowledged, in sequence order, at most `memoryLimit` of them.
        var unacknowledged: [UsageRecord] = []
        /// Durable, unacknowledged records that are on disk only (newer than every record in `unacknowledged`).
        var spilled = false
        var unacknowledgedCount = 0
        var lastDurableSequence: UInt64 = 0
        var segments: [(firstSequence: UInt64, url: URL)]
        var currentFD: Int32 = -1
        var currentSize: Int = 0
        var stopped = false
    }

    public static let segmentLimit = 8 << 20

    private let directory: URL
    private let memoryLimit: Int
    private let state: NIOLockedValueBox<State>
    private let wakeUp = ConditionLock(value: 0)
    private let logger: Logger

    public init(directory: URL, memoryLimit: Int = 100_000, logger: Logger) throws {
        self.directory = directory
        let memoryLimit = max(1, memoryLimit)
        self.memoryLimit = memoryLimit
        self.logger = logger
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let acknowledged = Self.readAcknowledged(directory)
        var segments: [(UInt64, URL)] = []
        var recovered = State(nextSequence: 0, acknowledged: acknowledged, segments: [])
        var highest = acknowledged
        let decoder = FleetJSON.decoder()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("usage-") && $0.hasSuffix(".log") }.sorted()
        for name in names {
            guard let first = UInt64(name.dropFirst(6).dropLast(4)) else { continue }
            let url = directory.appendingPathComponent(name)
            segments.append((first, url))
            try Self.recover(url, decoder: decoder, logger: logger) { record in
                highest = max(highest, record.sequence)
                guard record.sequence > acknowledged else { return }
                recovered.unacknowledgedCount += 1
                if recovered.unacknowledged.count < memoryLimit {
                    recovered.unacknowledged.append(record)
                } else {
                    recovered.spilled = true
                }
            }
        }
        recovered.nextSequence = highest + 1
        recovered.lastDurableSequence = highest
        recovered.segments = segments.map { (firstSequence: $0.0, url: $0.1) }
        state = NIOLockedValueBox(recovered)
        if recovered.unacknowledgedCount > 0 {
            logger.notice("usage spool recovered charges not yet acknowledged", metadata: [
                "count": "\(recovered.unacknowledgedCount)", "first_sequence": "\(recovered.unacknowledged[0].sequence)",
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
            state.nextSequence += 1
            state.queue.append(Pending(record: record, line: record.spoolLine(), promise: promise))
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

    /// Up to `limit` durable charges the control plane has not acknowledged, oldest first. Reads records back from
    /// disk when those in memory run short of `limit` and more are there (outside the lock: requests keep appending).
    public func unacknowledged(limit: Int) -> [UsageRecord] {
        let refill = state.withLockedValue { state -> (after: UInt64, through: UInt64, segments: [(firstSequence: UInt64, url: URL)])? in
            guard state.spilled, state.unacknowledged.count < min(limit, memoryLimit) else { return nil }
            return (state.unacknowledged.last?.sequence ?? state.acknowledged, state.lastDurableSequence, state.segments)
        }
        if let refill {
            let room = memoryLimit - state.withLockedValue { $0.unacknowledged.count }
            let read = (try? Self.read(after: refill.after, through: refill.through, limit: room, from: refill.segments)) ?? []
            state.withLockedValue { state in
                let newest = state.unacknowledged.last?.sequence ?? state.acknowledged
                state.unacknowledged += read.filter { $0.sequence > newest }
                // While spilled, the writer adds nothing to memory: everything up to `through` is here once the read
                // was not cut short, and nothing was written since unless `lastDurableSequence` moved.
                if read.count < room && state.lastDurableSequence == refill.through { state.spilled = false }
            }
        }
        return state.withLockedValue { Array($0.unacknowledged.prefix(limit)) }
    }

    public var unacknowledgedCount: Int { state.withLockedValue { $0.unacknowledgedCount } }

    public var acknowledgedSequence: UInt64 { state.withLockedValue { $0.acknowledged } }

    /// Records that the control plane has everything up to `sequence`; durable before it returns.
    public func acknowledge(through sequence: UInt64) throws {
        try DurableFile.replace(directory.appendingPathComponent("usage.acked"), with: Data("\(sequence)\n".utf8))
        let obsolete = state.withLockedValue { state -> [URL] in
            guard sequence > state.acknowledged else { return [] }
            let inMemory = state.unacknowledged.count
            state.unacknowledged.removeAll { $0.sequence <= sequence }
            let removed = inMemory - state.unacknowledged.count
            // The shipper acknowledges only what `unacknowledged(limit:)` gave it, so every acknowledged record is here.
            state.unacknowledgedCount = max(0, state.unacknowledgedCount - removed)
            state.acknowledged = sequence
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
            state.withLockedValue { state in
                state.currentSize += bytes.count
                state.unacknowledgedCount += batch.count
                state.lastDurableSequence = batch[batch.count - 1].record.sequence
                if !state.spilled && state.unacknowledged.count + batch.count <= memoryLimit {
                    state.unacknowledged.append(contentsOf: batch.map(\.record))
                } else {
                    state.spilled = true
                }
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

    /// Reads a segment's records, in order, into `body`; a last line without its newline was torn by a crash and is
    /// cut off (its request never got an answer, since the answer waits for the sync that did not happen).
    private static func recover(_ url: URL, decoder: JSONDecoder, logger: Logger, _ body: (UsageRecord) -> Void) throws {
        let data = try Data(contentsOf: url)
        let validEnd = try records(in: data, url: url, decoder: decoder) { body($0); return true }
        if validEnd < data.endIndex {
            logger.warning("usage spool: cutting a torn last line", metadata: [
                "file": "\(url.lastPathComponent)", "bytes": "\(data.endIndex - validEnd)",
            ])
            guard truncate(url.path, off_t(validEnd)) == 0 else { throw DurableFileError.system("truncate \(url.path)", errno) }
        }
    }

    /// Up to `limit` records with sequences in `after+1...through`, read from the segments that can hold them.
    private static func read(
        after: UInt64, through: UInt64, limit: Int, from segments: [(firstSequence: UInt64, url: URL)]
    ) throws -> [UsageRecord] {
        let decoder = FleetJSON.decoder()
        var found: [UsageRecord] = []
        for (index, segment) in segments.enumerated() where segment.firstSequence <= through {
            // A segment ends where the next begins.
            if index + 1 < segments.count, segments[index + 1].firstSequence <= after + 1 { continue }
            let data = try Data(contentsOf: segment.url)
            _ = try records(in: data, url: segment.url, decoder: decoder) { record in
                if record.sequence > after && record.sequence <= through { found.append(record) }
                return found.count < limit
            }
            if found.count >= limit { break }
        }
        return found
    }

    /// Decodes the complete lines of `data` until `body` returns false; returns where the complete lines end.
    private static func records(
        in data: Data, url: URL, decoder: JSONDecoder, _ body: (UsageRecord) -> Bool
    ) throws -> Data.Index {
        var lineStart = data.startIndex
        while let newline = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = data[lineStart..<newline]
            if !line.isEmpty {
                guard let record = try? decoder.decode(UsageRecord.self, from: line) else {
                    throw UsageSpoolError.corrupt(url.path, offset: lineStart)
                }
                guard body(record) else { return data.index(after: newline) }
            }
            lineStart = data.index(after: newline)
        }
        return lineStart
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
