import Foundation

/// Asks the control plane for (more) allowance on accounts; implemented by the control-plane client.
public protocol AllowanceRenewing: Sendable {
    /// Updates the `AllowanceBook`; throws when the control plane could not be asked.
    func renew(_ accounts: [UUID]) async throws
}
