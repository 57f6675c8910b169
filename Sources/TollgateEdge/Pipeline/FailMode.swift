/// What the agent does with a request it cannot price: no state yet, a hostname no site claims, or a paid request
/// whose allowance the control plane cannot be asked for.
public enum FailMode: String, Sendable, Codable, CaseIterable {
    /// Serve it (uncharged when no site is known; charged anyway when only the allowance is missing).
    case open
    /// Refuse it with a 503 and `Retry-After`.
    case closed
}
