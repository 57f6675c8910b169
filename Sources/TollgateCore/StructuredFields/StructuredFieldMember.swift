/// A member of an RFC 8941 List or Dictionary: an Item or an Inner List.
public enum StructuredFieldMember: Sendable, Hashable {
    case item(StructuredFieldItem)
    case innerList(StructuredFieldInnerList)

    public var item: StructuredFieldItem? {
        if case .item(let item) = self { item } else { nil }
    }

    public var innerList: StructuredFieldInnerList? {
        if case .innerList(let list) = self { list } else { nil }
    }
}
