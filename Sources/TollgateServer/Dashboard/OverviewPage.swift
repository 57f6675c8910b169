import Foundation
import Hummingbird

/// `/app`: where the tenant stands and what to do next.
struct OverviewPage {
    let members: any MemberRepository
    let apiKeys: any APIKeyRepository
    let sites: any SiteRepository
    let pages: PageRenderer

    struct Step {
        let title: String
        let detail: String
        let href: String
        let action: String
        let done: Bool
    }

    struct Stat {
        let label: String
        let value: String
        let href: String
    }

    struct View {
        let tenantName: String
        let role: String
        let stats: [Stat]
        let steps: [Step]
        let allDone: Bool
        let canReadAudit: Bool
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app", use: show)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let tenantID = principal.tenant.id
        let canSeeTeam = principal.permissions.contains(.membersRead)
        let canSeeKeys = principal.permissions.contains(.apiKeysRead)
        let team = canSeeTeam ? try await members.members(tenantID: tenantID) : nil
        let invites = canSeeTeam ? try await members.invites(tenantID: tenantID).filter { $0.status == "pending" } : nil
        let keys = canSeeKeys ? try await apiKeys.keys(tenantID: tenantID, limit: 100, after: nil).filter { $0.status == "active" } : nil

        var steps: [Step] = []
        if principal.permissions.contains(.sitesWrite) {
            let live = try await sites.sites(tenantID: tenantID, status: .active, limit: 200, after: nil)
            steps.append(
                Step(
                    title: "Add your site and set a price", detail: "Name the host names Tollgate protects and what a crawl costs.",
                    href: "/app/sites", action: "Add a site", done: live.contains { $0.pricing != nil }))
        }
        if principal.permissions.contains(.membersWrite), let team, let invites {
            steps.append(
                Step(
                    title: "Invite your team", detail: "Give colleagues their own sign-in and a role that fits what they do.",
                    href: "/app/team", action: "Invite someone", done: team.count > 1 || !invites.isEmpty))
        }
        if principal.permissions.contains(.apiKeysWrite), let keys {
            steps.append(
                Step(
                    title: "Create an API key", detail: "Automate Tollgate from your deployment scripts with a key limited to the scopes it needs.",
                    href: "/app/api-keys", action: "Create a key", done: !keys.isEmpty))
        }
        steps.append(
            Step(
                title: "Protect your sign-in", detail: "Add an authenticator app as a second factor.",
                href: "/app/account", action: "Set up an authenticator", done: principal.user?.totpEnabled ?? false))

        var stats: [Stat] = []
        if let team, let invites {
            stats.append(Stat(label: "Members", value: String(team.count), href: "/app/team"))
            stats.append(Stat(label: "Pending invites", value: String(invites.count), href: "/app/team"))
        }
        if let keys { stats.append(Stat(label: "Active API keys", value: String(keys.count), href: "/app/api-keys")) }

        let view = View(
            tenantName: principal.tenant.name, role: principal.role?.rawValue ?? "", stats: stats, steps: steps,
            allDone: steps.allSatisfy(\.done), canReadAudit: principal.permissions.contains(.auditRead))
        var page = PageView(title: principal.tenant.name, principal: principal, current: "/app", page: view)
        page.showNotice(from: request)
        return pages.render("overview", page)
    }
}
