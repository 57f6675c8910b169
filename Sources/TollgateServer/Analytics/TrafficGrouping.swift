/// The time buckets a traffic report sums into (UTC).
enum TrafficGrouping: String, Sendable, CaseIterable {
    case minute, hour
}
