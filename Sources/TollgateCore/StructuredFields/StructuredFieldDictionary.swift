/// An RFC 8941 Dictionary (§3.2): an ordered map of keys to Items or Inner Lists.
public typealias StructuredFieldDictionary = StructuredFieldOrderedMap<StructuredFieldMember>
