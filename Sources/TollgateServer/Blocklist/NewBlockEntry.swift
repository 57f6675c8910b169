import Foundation
import TollgateCore

/// A validated blocklist entry to add (`BlockEntryValue` normalised its value for its scope).
struct NewBlockEntry: Sendable, Equatable {
    let scope: SyncBlockEntry.Scope
    let value: String
    let action: SyncBlockEntry.Action
    let reason: String
    let expiresAt: Date?
}
