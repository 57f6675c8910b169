/// An RFC 8941 Inner List (§3.1.1): a parenthesised list of Items with parameters of its own.
public struct StructuredFieldInnerList: Sendable, Hashable {
    public var items: [StructuredFieldItem]
    public var parameters: StructuredFieldParameters

    public init(_ items: [StructuredFieldItem], parameters: StructuredFieldParameters = [:]) {
        self.items = items
        self.parameters = parameters
    }
}
