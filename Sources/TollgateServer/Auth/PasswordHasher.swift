import CArgon2
import NIOPosix
import TollgateCore

/// Argon2id password hashing through libargon2. Hashing costs tens of milliseconds of CPU, so it runs on
/// NIO's blocking thread pool and never on an event loop.
public struct PasswordHasher: Sendable {
    public let parameters: Argon2Parameters
    private let threadPool: NIOThreadPool

    public init(parameters: Argon2Parameters, threadPool: NIOThreadPool = .singleton) {
        self.parameters = parameters
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await threadPool.runIfActive { try Self.hashBlocking(password, parameters: parameters) }
    }

    public func verify(_ password: String, against encoded: String) async throws -> Bool {
        try await threadPool.runIfActive {
            let result = argon2id_verify(encoded, password, password.utf8.count)
            return result == ARGON2_OK.rawValue
        }
    }

    /// True when a stored hash was made with other parameters (or another algorithm) than the configured ones.
    public func needsRehash(_ encoded: String) -> Bool {
        !encoded.hasPrefix("$argon2id$v=19$\(parameters.encodedSegment)$")
    }

    static func hashBlocking(_ password: String, parameters: Argon2Parameters) throws -> String {
        let salt = SecureRandom.bytes(16)
        let hashLength = 32
        let length = argon2_encodedlen(
            UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
            UInt32(salt.count), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let result = argon2id_hash_encoded(
            UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
            password, password.utf8.count, salt, salt.count, hashLength, &encoded, length)
        guard result == ARGON2_OK.rawValue else {
            throw PasswordHashingError(message: String(cString: argon2_error_message(result)))
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

struct PasswordHashingError: Error, CustomStringConvertible {
    let message: String
    var description: String { "Argon2 hashing failed: \(message)" }
}
