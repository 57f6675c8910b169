/// A configuration the agent cannot start with; the message names the setting and what to do.
public enum EdgeConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(setting: String, reason: String)
    case missing(setting: String, reason: String)
    case unreadableFile(String, String)
    case invalidStateFile(String, String)

    public var description: String {
        switch self {
        case .invalid(let setting, let reason): "\(setting): \(reason)"
        case .missing(let setting, let reason): "\(setting) is required: \(reason)"
        case .unreadableFile(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidStateFile(let path, let reason): "\(path) is not a valid policy file: \(reason)"
        }
    }
}
