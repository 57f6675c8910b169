/// Why a crawler fetches content, which sites may price differently.
public enum CrawlPurpose: String, Sendable, Hashable, Codable, CaseIterable {
    /// Training or fine-tuning a model (`train-ai` in aipref, `ai-train` in Content-Signal).
    case training
    /// A search index that links back to the source.
    case search
    /// Input to a model at answer time, e.g. retrieval-augmented generation (`ai-use`, `ai-input`).
    case aiInput = "ai-input"
    /// Anything else, and crawlers that do not say.
    case other

    /// Accepts our names and the vocabulary of aipref (`train-ai`, `ai-use`) and Content-Signal (`ai-train`,
    /// `ai-input`), case-insensitively.
    public init?(label: String) {
        switch label.lowercased() {
        case "training", "train-ai", "ai-train": self = .training
        case "search": self = .search
        case "ai-input", "ai-use": self = .aiInput
        case "other": self = .other
        default: return nil
        }
    }
}
