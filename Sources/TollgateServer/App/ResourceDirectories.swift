import Foundation

/// Where the SQL migrations and the dashboard's templates and static files live: next to the source tree in
/// development, under /usr/share/tollgate in an installed image, or wherever the environment says.
public struct ResourceDirectories: Sendable {
    public var migrations: String
    /// Holds `templates/` (Mustache) and `static/` (served under /static).
    public var web: String

    public init(migrations: String, web: String) {
        self.migrations = migrations
        self.web = web
    }

    public static func locate(environment: [String: String]) throws -> ResourceDirectories {
        var roots: [String] = []
        if let root = environment["TOLLGATE_HOME"] { roots.append(root) }
        roots.append(FileManager.default.currentDirectoryPath)
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            roots.append(directory.path)
            directory.deleteLastPathComponent()
        }
        roots.append("/usr/share/tollgate")
        func find(_ name: String, override: String?) throws -> String {
            if let override { return override }
            for root in roots where FileManager.default.fileExists(atPath: root + "/" + name) {
                return root + "/" + name
            }
            throw ConfigurationError(
                "cannot find the '\(name)' directory (looked in \(roots.joined(separator: ", "))); set TOLLGATE_HOME to the directory holding it")
        }
        return ResourceDirectories(
            migrations: try find("migrations", override: environment["TOLLGATE_MIGRATIONS_DIR"]),
            web: try find("web", override: environment["TOLLGATE_WEB_DIR"]))
    }
}
