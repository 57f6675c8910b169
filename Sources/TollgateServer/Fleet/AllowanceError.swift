import Foundation

enum AllowanceError: Error, Equatable {
    /// No crawler account has this id.
    case unknownAccount(UUID)
}
