/// Sites are archived rather than deleted, so charges and ledger entries keep pointing at them.
public enum SiteStatus: String, Sendable, CaseIterable, Codable {
    case active
    /// Read-only; its host names are free for other sites to claim.
    case archived
}
