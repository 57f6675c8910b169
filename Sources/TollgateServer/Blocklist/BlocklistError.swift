enum BlocklistError: Error, Equatable {
    /// No live entry of the tenant has this id.
    case notFound
}
