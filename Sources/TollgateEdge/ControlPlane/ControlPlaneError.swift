/// Why a call to the control plane failed, with what the agent does about it in mind.
public enum ControlPlaneError: Error, Sendable, CustomStringConvertible {
    /// No answer (refused, reset, timed out): retried with back-off; the agent serves on its last-known state.
    case unreachable(String)
    /// 401/403/410: the credential or enrollment token is not (or no longer) valid; an operator must act.
    case notAuthorized(status: Int, detail: String)
    /// Any other non-2xx answer, with the problem's detail.
    case refused(status: Int, detail: String)
    /// A 2xx answer we could not read.
    case malformedAnswer(String)

    public var description: String {
        switch self {
        case .unreachable(let reason): "control plane unreachable: \(reason)"
        case .notAuthorized(let status, let detail): "control plane refused the agent's credentials (\(status)): \(detail)"
        case .refused(let status, let detail): "control plane answered \(status): \(detail)"
        case .malformedAnswer(let reason): "control plane answer unreadable: \(reason)"
        }
    }
}
