import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small files that must survive a crash intact: written beside the target, fsync'd, renamed over it, and the
/// directory fsync'd so the rename itself is durable.
enum DurableFile {
    static func replace(_ url: URL, with data: Data, permissions: mode_t = 0o600) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw DurableFileError.system("open \(temporary.path)", errno) }
        defer { close(fd) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw DurableFileError.system("write \(temporary.path)", errno)
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw DurableFileError.system("fsync \(temporary.path)", errno) }
        guard rename(temporary.path, url.path) == 0 else { throw DurableFileError.system("rename to \(url.path)", errno) }
        try syncDirectory(url.deletingLastPathComponent())
    }

    static func syncDirectory(_ directory: URL) throws {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFileError.system("open \(directory.path)", errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DurableFileError.system("fsync \(directory.path)", errno) }
    }
}

struct DurableFileError: Error, CustomStringConvertible {
    let description: String

    static func system(_ operation: String, _ code: Int32) -> DurableFileError {
        DurableFileError(description: "\(operation) failed: \(String(cString: strerror(code)))")
    }
}
