import Foundation
import TollgateCore

/// Reads and writes a state bundle as JSON: the standalone policy file, and the last-known state the agent saves
/// so it can serve after a restart while the control plane is unreachable.
public enum StateFile {
    public static func read(_ url: URL) throws -> EdgeStateSource {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EdgeConfigurationError.unreadableFile(url.path, "\(error.localizedDescription)")
        }
        do {
            var bundle = try FleetJSON.decoder().decode(SyncBundle.self, from: data)
            bundle.full = true
            if bundle.version.isEmpty { bundle.version = "file" }
            return EdgeStateSource(bundle: bundle)
        } catch let error as DecodingError {
            throw EdgeConfigurationError.invalidStateFile(url.path, error.summary)
        }
    }

    /// Writes atomically (temporary file, fsync, rename), so a crash leaves the old file or the new one.
    public static func write(_ source: EdgeStateSource, to url: URL) throws {
        let data = try FleetJSON.encoder().encode(source.bundle)
        try DurableFile.replace(url, with: data)
    }
}
