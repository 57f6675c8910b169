/// A sync the database could not answer as this build expects.
enum FleetSyncError: Error, CustomStringConvertible {
    /// The snapshot query returned no row.
    case noSnapshot
    /// A stored value this build does not know: a newer server wrote it, or the row was edited by hand.
    case unknownValue(String, String)

    var description: String {
        switch self {
        case .noSnapshot: "the database returned no snapshot for the sync"
        case .unknownValue(let what, let value): "\(what) has '\(value)', which this server does not know"
        }
    }
}
