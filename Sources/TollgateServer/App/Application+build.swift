import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import TollgateGateways

/// Everything `buildApplication` wires together, exposed so tests and commands can reach the same pieces.
public struct AppDependencies: Sendable {
    public let configuration: ServerConfiguration
    public let database: Database
    public let migrator: Migrator
    public let registry: PrometheusCollectorRegistry
    let passwords: PasswordHasher
    let tokens: TokenHasher
    let authenticator: Authenticator
    let accounts: AccountService
    let team: TeamService
    let apiKeyService: APIKeyService
    let siteService: SiteService
    let tenants: any TenantRepository
    let members: any MemberRepository
    let apiKeys: any APIKeyRepository
    let sites: any SiteRepository
    let audit: any AuditRepository
    let operators: any OperatorRepository
    let throttle: LoginThrottle
    let decoyHash: String
    public let ledger: any LedgerRepository
    public let crawlerOperators: any CrawlerOperatorRepository
    public let chargePosting: ChargePostingService
    let crawlerOperatorService: CrawlerOperatorService
    let crawlTokens: any CrawlTokenRepository
    let signingKeys: any SigningKeyRepository
    let crawlers: any CrawlerRepository
    let crawlerRegistry: CrawlerRegistryService
    public let payments: any PaymentRepository
    public let gatewayDirectory: GatewayDirectory
    public let topUps: TopUpService
    public let refunds: RefundService
    let paymentMethods: PaymentMethodService
    public let paymentsWorker: PaymentsWorker
    let agents: any AgentRepository
    let agentService: AgentService
    let fleetSync: FleetSyncService
    let allowances: AllowanceService
    let usageIngest: UsageIngestService
    let metrics: any MetricsRepository
    let metricsIngest: MetricsIngestService
    let blocklist: any BlocklistRepository
    let blocklistService: BlocklistService

    public init(configuration: ServerConfiguration, postgres: PostgresClient.Configuration, registry: PrometheusCollectorRegistry, logger: Logger) async throws {
        var postgres = postgres
        postgres.options.maximumConnections = configuration.databaseMaxConnections
        postgres.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: postgres, backgroundLogger: logger)
        let database = Database(
            client: client, logger: logger,
            metrics: DatabaseMetrics(registry: registry, maxConnections: configuration.databaseMaxConnections))
        self.configuration = configuration
        self.database = database
        self.migrator = try Migrator(directory: configuration.resources.migrations)
        self.registry = registry
        passwords = PasswordHasher(parameters: configuration.argon2)
        tokens = TokenHasher(secretKey: configuration.secretKey)
        tenants = PostgresTenantRepository(database: database)
        members = PostgresMemberRepository(database: database)
        apiKeys = PostgresAPIKeyRepository(database: database)
        sites = PostgresSiteRepository(database: database)
        audit = PostgresAuditRepository(database: database)
        operators = PostgresOperatorRepository(database: database)
        let sessions = PostgresSessionRepository(database: database)
        throttle = LoginThrottle(database: database, policy: configuration.throttle)
        authenticator = Authenticator(
            sessions: sessions, apiKeys: apiKeys, hasher: tokens, cacheLifetime: configuration.authCacheLifetime, logger: logger)
        decoyHash = try await passwords.hash(Tokens.csrf())
        accounts = AccountService(
            tenants: tenants, sessions: sessions, members: members, throttle: throttle, passwords: passwords, tokens: tokens,
            authenticator: authenticator, sessionLifetime: configuration.sessionLifetime, secureCookies: configuration.cookiesAreSecure,
            decoyHash: decoyHash, logger: logger)
        team = TeamService(
            members: members, tokens: tokens, authenticator: authenticator, inviteLifetime: configuration.inviteLifetime,
            publicURL: configuration.publicURL)
        apiKeyService = APIKeyService(apiKeys: apiKeys, tokens: tokens, authenticator: authenticator)
        siteService = SiteService(sites: sites)
        ledger = PostgresLedgerRepository(database: database)
        crawlerOperators = PostgresCrawlerOperatorRepository(database: database)
        chargePosting = ChargePostingService(ledger: ledger, platformFeeBasisPoints: configuration.platformFeeBasisPoints)
        crawlerOperatorService = CrawlerOperatorService(
            operators: crawlerOperators, passwords: passwords, tokens: tokens, throttle: throttle, decoyHash: decoyHash)
        crawlTokens = PostgresCrawlTokenRepository(database: database)
        signingKeys = PostgresSigningKeyRepository(database: database, sealer: KeySealer(secretKey: configuration.secretKey))
        crawlers = PostgresCrawlerRepository(database: database)
        crawlerRegistry = CrawlerRegistryService(
            crawlers: crawlers, fetcher: HTTPKeyDirectoryFetcher(logger: logger), allowlist: configuration.keyDirectoryHTTPAllowlist,
            logger: logger)
        payments = PostgresPaymentRepository(database: database, secretKey: configuration.secretKey)
        let seconds = configuration.gatewayTimeout.components.seconds
        gatewayDirectory = GatewayDirectory(
            repository: payments, transport: GatewayTransport(client: HTTPClient.shared, timeout: .seconds(seconds)))
        topUps = TopUpService(
            repository: payments, gateways: gatewayDirectory, operators: crawlerOperators, metrics: PaymentMetrics(registry: registry),
            logger: logger)
        refunds = RefundService(repository: payments, gateways: gatewayDirectory, logger: logger)
        paymentMethods = PaymentMethodService(repository: payments, gateways: gatewayDirectory)
        paymentsWorker = PaymentsWorker(
            repository: payments, topUps: topUps, refunds: refunds, operators: crawlerOperators, interval: configuration.paymentsInterval,
            logger: logger)
        agents = PostgresAgentRepository(database: database)
        agentService = AgentService(agents: agents, tokens: tokens)
        fleetSync = FleetSyncService(repository: PostgresFleetSyncRepository(database: database))
        let allowanceRepository = PostgresAllowanceRepository(database: database)
        allowances = AllowanceService(repository: allowanceRepository, policy: AllowancePolicy())
        usageIngest = UsageIngestService(charges: chargePosting, sites: sites, allowances: allowanceRepository)
        metrics = PostgresMetricsRepository(database: database)
        metricsIngest = MetricsIngestService(repository: metrics)
        blocklist = PostgresBlocklistRepository(database: database)
        blocklistService = BlocklistService(entries: blocklist)
    }
}

/// The control plane: builds the router over `dependencies` and returns an application that, when run,
/// starts the database pool, migrates, refuses RLS-bypassing roles, then serves.
public func buildApplication(
    _ dependencies: AppDependencies,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let configuration = dependencies.configuration
    let router = try await buildRouter(dependencies)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tollgate"),
        onServerRunning: onServerRunning,
        logger: logger)
    app.addServices(dependencies.database.client)
    app.addServices(
        KeyDirectoryRefresher(registry: dependencies.crawlerRegistry, interval: configuration.keyDirectoryRefreshInterval, logger: logger))
    app.addServices(dependencies.paymentsWorker)
    app.addServices(MetricsRetention(metrics: dependencies.metrics, retention: configuration.metricsRetention, interval: .seconds(3600), logger: logger))
    app.beforeServerStarts {
        try await dependencies.database.checkRole()
        try await dependencies.migrator.migrate(client: dependencies.database.client, logger: logger)
    }
    return app
}

func buildRouter(_ dependencies: AppDependencies) async throws -> Router<AppRequestContext> {
    let configuration = dependencies.configuration
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware(registry: dependencies.registry))
    router.add(middleware: SecurityHeadersMiddleware(secure: configuration.cookiesAreSecure))
    let routeTable = RouteTable()
    router.add(middleware: ProblemMiddleware(routes: routeTable))
    router.add(
        middleware: FileMiddleware(
            configuration.resources.web + "/static", urlBasePath: "/static",
            cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(3600)])])))

    HealthController(database: dependencies.database, migrator: dependencies.migrator, registry: dependencies.registry)
        .addRoutes(to: router)
    let openAPI = try OpenAPIDocument.json(serverURL: configuration.publicURL)
    router.get("openapi.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
    }

    OperatorController(
        operators: dependencies.operators, tenants: dependencies.tenants, passwords: dependencies.passwords,
        tokens: dependencies.tokens, throttle: dependencies.throttle, authenticator: dependencies.authenticator,
        decoyHash: dependencies.decoyHash
    ).addRoutes(to: router.group("v1"))
    OperatorLedgerController(
        auth: OperatorAuth(operators: dependencies.operators, tokens: dependencies.tokens),
        crawlerOperators: dependencies.crawlerOperators, ledger: dependencies.ledger
    ).addRoutes(to: router.group("v1"))
    OperatorBlocklistController(
        auth: OperatorAuth(operators: dependencies.operators, tokens: dependencies.tokens),
        blocklist: BlocklistController(service: dependencies.blocklistService, entries: dependencies.blocklist)
    ).addRoutes(to: router.group("v1"))
    CrawlerOperatorController(
        service: dependencies.crawlerOperatorService, operators: dependencies.crawlerOperators, ledger: dependencies.ledger
    ).addRoutes(to: router.group("v1"))
    CrawlTokenController(
        service: dependencies.crawlerOperatorService, tokens: dependencies.crawlTokens, keys: dependencies.signingKeys,
        ledger: dependencies.ledger, issuer: configuration.publicURL
    ).addRoutes(to: router.group("v1"))
    SigningKeysController(keys: dependencies.signingKeys, auth: OperatorAuth(operators: dependencies.operators, tokens: dependencies.tokens))
        .addRoutes(to: router.group("v1"))

    let operatorAuth = OperatorAuth(operators: dependencies.operators, tokens: dependencies.tokens)
    OperatorGatewaysController(auth: operatorAuth, repository: dependencies.payments).addRoutes(to: router.group("v1"))
    let payouts = PayoutsController(auth: operatorAuth, repository: dependencies.payments, tenants: dependencies.tenants)
    payouts.addOperatorRoutes(to: router.group("v1"))
    CrawlerPaymentsController(
        service: dependencies.crawlerOperatorService, repository: dependencies.payments, methods: dependencies.paymentMethods,
        topUps: dependencies.topUps, refunds: dependencies.refunds
    ).addRoutes(to: router.group("v1"))
    WebhooksController(repository: dependencies.payments, gateways: dependencies.gatewayDirectory, logger: dependencies.database.logger)
        .addRoutes(to: router.group("v1"))

    let agentAuth = AgentAuth(agents: dependencies.agents, tokens: dependencies.tokens)
    AgentController(service: dependencies.agentService, auth: agentAuth).addRoutes(to: router.group("v1"))
    FleetController(
        auth: agentAuth, sync: dependencies.fleetSync, allowances: dependencies.allowances, usage: dependencies.usageIngest,
        metrics: dependencies.metricsIngest
    ).addRoutes(to: router.group("v1"))

    OperatorCrawlersController(
        operators: dependencies.crawlerOperatorService, registry: dependencies.crawlerRegistry, crawlers: dependencies.crawlers
    ).addRoutes(to: router.group("v1"))

    let api = router.group("v1").add(middleware: AuthMiddleware(authenticator: dependencies.authenticator))
    SessionController(accounts: dependencies.accounts).addRoutes(to: api)
    MembersController(team: dependencies.team, accounts: dependencies.accounts, members: dependencies.members).addRoutes(to: api)
    APIKeysController(service: dependencies.apiKeyService, apiKeys: dependencies.apiKeys).addRoutes(to: api)
    AuditController(audit: dependencies.audit).addRoutes(to: api)
    EarningsController(ledger: dependencies.ledger).addRoutes(to: api)
    SitesController(service: dependencies.siteService, sites: dependencies.sites).addRoutes(to: api)
    CrawlerRegistryController(crawlers: dependencies.crawlers).addRoutes(to: api)
    payouts.addTenantRoutes(to: api)
    AgentsController(service: dependencies.agentService, agents: dependencies.agents).addRoutes(to: api)
    BlocklistController(service: dependencies.blocklistService, entries: dependencies.blocklist).addRoutes(to: api)
    TrafficController(metrics: dependencies.metrics).addRoutes(to: api)

    Dashboard(dependencies: dependencies, pages: try await PageRenderer(directory: configuration.resources.web + "/templates"))
        .addRoutes(to: router)

    routeTable.load(router.routes.map { ($0.path.description, $0.method.rawValue) })

    return router
}
