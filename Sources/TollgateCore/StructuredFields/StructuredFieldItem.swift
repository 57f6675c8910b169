/// An RFC 8941 Item (§3.3): a bare item with parameters.
public struct StructuredFieldItem: Sendable, Hashable {
    public var bareItem: StructuredFieldBareItem
    public var parameters: StructuredFieldParameters

    public init(_ bareItem: StructuredFieldBareItem, parameters: StructuredFieldParameters = [:]) {
        self.bareItem = bareItem
        self.parameters = parameters
    }
}
