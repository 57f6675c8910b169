import Synchronization

/// The methods each route template answers, so a known path with the wrong method gets 405 and `Allow`
/// instead of 404. Filled once the router is complete.
final class RouteTable: Sendable {
    private let templates = Mutex<[(components: [Substring], methods: Set<String>)]>([])

    func load(_ routes: [(path: String, method: String)]) {
        var grouped: [String: Set<String>] = [:]
        for route in routes { grouped[route.path, default: []].insert(route.method) }
        templates.withLock { $0 = grouped.map { ($0.key.split(separator: "/"), $0.value) } }
    }

    /// Methods allowed on `path`, or empty when no route template matches it.
    func methods(for path: String) -> [String] {
        let components = path.split(separator: "/")
        return templates.withLock { templates in
            var allowed: Set<String> = []
            for template in templates where template.components.count == components.count {
                let matches = zip(template.components, components).allSatisfy { pattern, value in
                    (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == value
                }
                if matches { allowed.formUnion(template.methods) }
            }
            return allowed.sorted()
        }
    }
}
