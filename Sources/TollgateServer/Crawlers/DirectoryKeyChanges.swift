import Foundation

/// What one directory fetch changed in a crawler's keys; the audit event and the refresher's log say this.
struct DirectoryKeyChanges: Sendable, Equatable {
    /// Proven for the first time (or again after leaving the directory).
    var added: [String] = []
    /// Gone from the directory, so revoked until it comes back.
    var removed: [String] = []
    /// Listed and proven, but revoked by the operator: they stay revoked.
    var keptRevoked: [String] = []
    /// Uploaded copies on other crawlers that this directory's proof displaced.
    var superseded: [String] = []
    /// The crawler's verified flag before and after.
    var wasVerified = false
    var isVerified = false

    var changedKeys: Bool { !added.isEmpty || !removed.isEmpty || !superseded.isEmpty }
}
