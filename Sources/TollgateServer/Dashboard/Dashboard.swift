import Hummingbird

/// The server-rendered dashboard: public sign-in pages, `/invite/{token}`, and the signed-in pages under `/app`.
/// It works without JavaScript; every change is a form post answered by a page or a redirect.
struct Dashboard {
    let dependencies: AppDependencies
    let pages: PageRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        let accounts = dependencies.accounts
        let errors = DashboardErrorMiddleware(pages: pages)
        let formGuard = FormGuard(secureCookies: dependencies.configuration.cookiesAreSecure)

        let signIn = SignInPages(accounts: accounts, pages: pages, formGuard: formGuard)
        let visitor = router.group().add(middleware: errors)
        signIn.addRoutes(to: visitor)
        InvitePage(accounts: accounts, signIn: signIn).addRoutes(to: visitor)

        let member = router.group().add(middleware: errors).add(middleware: DashboardAuthMiddleware(authenticator: dependencies.authenticator))
        member.post("logout") { request, context in
            let (principal, _) = try await FormData.signedIn(request, context: context)
            try await accounts.logout(principal, caller: Caller(request: request, context: context))
            var response = Response.redirect(to: "/login", type: .normal)
            response.setCookie(accounts.clearedSessionCookie())
            return response
        }
        OverviewPage(members: dependencies.members, apiKeys: dependencies.apiKeys, sites: dependencies.sites, pages: pages).addRoutes(to: member)
        TeamPage(team: dependencies.team, members: dependencies.members, pages: pages).addRoutes(to: member)
        APIKeysPage(service: dependencies.apiKeyService, apiKeys: dependencies.apiKeys, pages: pages).addRoutes(to: member)
        AuditPage(audit: dependencies.audit, pages: pages).addRoutes(to: member)
        AccountPage(accounts: accounts, pages: pages).addRoutes(to: member)
        SitesPage(service: dependencies.siteService, sites: dependencies.sites, pages: pages).addRoutes(to: member)
        AgentsPage(
            service: dependencies.agentService, agents: dependencies.agents, publicURL: dependencies.configuration.publicURL, pages: pages
        ).addRoutes(to: member)
        EarningsPage(ledger: dependencies.ledger, payments: dependencies.payments, pages: pages).addRoutes(to: member)
    }
}
