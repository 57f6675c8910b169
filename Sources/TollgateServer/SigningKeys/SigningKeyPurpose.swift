/// What a control-plane signing key signs; each purpose has one active key at a time.
public enum SigningKeyPurpose: String, Sendable, CaseIterable, Codable {
    case crawlToken = "crawl_token"
    case receipt
}
