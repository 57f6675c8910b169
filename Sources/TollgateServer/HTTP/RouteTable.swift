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

    /// Methods allowed on `path`, or empty when no route template matches it. Like the router, a literal
    /// segment wins over a capture: `/v1/invites/accept` is not `/v1/invites/{id}`.
    func methods(for path: String) -> [String] {
        let components = path.split(separator: "/")
        return templates.withLock { templates in
            var best: (literals: Int, methods: Set<String>) = (-1, [])
            for template in templates where template.components.count == components.count {
                var literals = 0
                let matches = zip(template.components, components).allSatisfy { pattern, value in
                    if pattern.hasPrefix("{") && pattern.hasSuffix("}") { return true }
                    literals += 1
                    return pattern == value
                }
                if matches && literals > best.literals { best = (literals, template.methods) }
            }
            return best.methods.sorted()
        }
    }
}
