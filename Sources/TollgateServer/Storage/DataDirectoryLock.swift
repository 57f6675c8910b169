import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<data dir>/tollgate.lock`, held for the life of the process, so a second
/// `tollgate serve` on the same directory stops before touching the embedded database.
public final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    public init(directory: String) throws {
        let path = directory + "/tollgate.lock"
        // O_CLOEXEC: PostgreSQL, started by us, must not inherit (and keep holding) the lock.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError("cannot open \(path): \(String(cString: strerror(errno))); check TOLLGATE_DATA_DIR permissions")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw ConfigurationError(
                "data directory \(directory) is already in use by another tollgate serve"
                    + (holder.isEmpty ? "" : " (pid \(holder))") + "; stop it first or choose another TOLLGATE_DATA_DIR")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
