/// Which sites a list shows: live ones unless asked otherwise.
public enum SiteStatusFilter: String, Sendable, CaseIterable {
    case active, archived, all
}
