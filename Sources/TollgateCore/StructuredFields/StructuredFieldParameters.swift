/// RFC 8941 Parameters (§3.1.2): an ordered map of keys to bare items attached to an Item or Inner List.
public typealias StructuredFieldParameters = StructuredFieldOrderedMap<StructuredFieldBareItem>
