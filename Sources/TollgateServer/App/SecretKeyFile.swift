import Foundation
import TollgateCore

/// The server's secret when none is configured: generated once into the data directory, readable by us only.
enum SecretKeyFile {
    static func loadOrCreate(directory: String) throws -> [UInt8] {
        let path = directory + "/secret.key"
        if let existing = FileManager.default.contents(atPath: path) {
            let key = String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard key.utf8.count >= 32 else {
                throw ConfigurationError("\(path) is shorter than 32 characters; delete it to generate a new one")
            }
            return Array(key.utf8)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("cannot create data directory \(directory): \(error.localizedDescription); set TOLLGATE_DATA_DIR")
        }
        let key = Hex.encode(SecureRandom.bytes(32))
        guard FileManager.default.createFile(atPath: path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError("cannot write \(path); set TOLLGATE_SECRET_KEY or make the data directory writable")
        }
        return Array(key.utf8)
    }
}
