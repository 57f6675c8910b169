import Hummingbird
import TollgateCore

/// CSRF protection for forms posted before there is a session (sign-up, sign-in, invite acceptance), so another
/// site cannot sign a visitor into an account of its choosing: a random token in a SameSite=Strict cookie that
/// the form must echo in a hidden field.
struct FormGuard: Sendable {
    static let cookieName = "tollgate_form"
    static let field = "_form"
    let secureCookies: Bool

    /// The token to embed in the page, reusing the browser's current one so several open tabs keep working.
    func token(for request: Request) -> String {
        if let existing = request.cookies[Self.cookieName]?.value, Tokens.isFormToken(existing) { return existing }
        return Tokens.csrf()
    }

    func cookie(_ token: String) -> Cookie {
        Cookie(name: Self.cookieName, value: token, maxAge: 12 * 3600, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    func check(_ request: Request, _ form: FormData) throws {
        guard let cookie = request.cookies[Self.cookieName]?.value, !cookie.isEmpty,
            ConstantTime.equals(Array(cookie.utf8), Array(form[Self.field].utf8))
        else { throw FormData.staleForm }
    }
}
