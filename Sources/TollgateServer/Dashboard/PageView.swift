import Foundation
import Hummingbird

/// What every dashboard template sees: the layout's parts plus `page`, the template's own data.
struct PageView {
    struct NavItem {
        let label: String
        let href: String
        let current: Bool
    }

    struct SignedIn {
        let email: String
        let tenantName: String
        let role: String
        let csrf: String
    }

    /// Values to show again and errors to show next to their fields when a form comes back invalid.
    struct FormState {
        var values: [String: String] = [:]
        var errors: [String: String] = [:]
        var formError: String?
        var hasErrors: Bool { formError != nil || !errors.isEmpty }
    }

    let title: String
    var nav: [NavItem] = []
    var signedIn: SignedIn?
    /// A hidden-field token for forms posted without a session (signup, sign-in, invite acceptance).
    var formToken: String?
    var notice: String?
    var form = FormState()
    var page: Any = [String: String]()

    init(title: String, page: Any = [String: String]()) {
        self.title = title
        self.page = page
    }

    /// A signed-in page: navigation limited to what the principal may see, and its CSRF token for forms.
    init(title: String, principal: Principal, current: String, page: Any = [String: String]()) {
        self.title = title
        self.page = page
        let links: [(String, String, Permission?)] = [
            ("Overview", "/app", nil),
            ("Sites", "/app/sites", .sitesRead),
            ("Agents", "/app/agents", .sitesRead),
            ("Earnings", "/app/earnings", .billingRead),
            ("Team", "/app/team", .membersRead),
            ("API keys", "/app/api-keys", .apiKeysRead),
            ("Audit log", "/app/audit", .auditRead),
            ("Account", "/app/account", nil),
        ]
        nav = links.compactMap { label, href, permission in
            if let permission, !principal.permissions.contains(permission) { return nil }
            return NavItem(label: label, href: href, current: href == current)
        }
        if case .session(_, let csrf) = principal.credential {
            signedIn = SignedIn(
                email: principal.user?.email ?? "", tenantName: principal.tenant.name, role: principal.role?.rawValue ?? "",
                csrf: csrf)
        }
    }

    /// After a redirect the next page names what was done by a fixed code, so no request text is ever echoed.
    mutating func showNotice(from request: Request) {
        guard let code = request.uri.queryParameters["done"].map(String.init) else { return }
        notice = Self.notices[code]
    }

    static let notices = [
        "invite-revoked": "The invite was revoked; its link no longer works.",
        "role-changed": "The member's role was changed.",
        "member-removed": "The member was removed.",
        "key-revoked": "The API key was revoked; requests using it are refused from now on.",
        "totp-enabled": "Your authenticator is set up; sign-ins now ask for its code.",
        "totp-disabled": "Your authenticator was removed; sign-ins ask only for your password.",
        "site-created": "The site was created.",
        "pricing-saved": "Prices saved; the new version takes effect for every quote from now on.",
        "pricing-removed": "Pay-per-crawl is off for this site; crawlers are no longer charged.",
        "site-archived": "The site was archived and its host names freed.",
        "enrollment-token-revoked": "The enrollment token was revoked; no agent can enroll with it.",
        "agent-revoked": "The agent was revoked; its credential is refused from now on.",
    ]

    /// Copies a failed form's field errors (by field name) and its overall message into the view.
    mutating func show(_ problem: Problem, values: [String: String]) {
        form.values = values
        for error in problem.errors where form.errors[error.field] == nil {
            form.errors[error.field] = error.message
        }
        if problem.errors.isEmpty { form.formError = problem.detail }
    }
}

/// Dates as the dashboard shows them: UTC, to the minute, unambiguous across time zones.
enum DisplayDate {
    static func format(_ date: Date?) -> String {
        guard let date else { return "" }
        return formatter.string(from: date)
    }

    private static var formatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter
    }
}
