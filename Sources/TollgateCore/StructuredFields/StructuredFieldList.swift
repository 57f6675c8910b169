/// An RFC 8941 List (§3.1): a sequence of Items or Inner Lists.
public typealias StructuredFieldList = [StructuredFieldMember]
