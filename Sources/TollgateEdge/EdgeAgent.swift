import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TollgateCore
import UnixSignals

/// Builds the whole agent from its configuration, wiring every part by constructor: state (policy file, saved
/// last-known state, sync), the spool and its shipper, allowances, the decision pipeline, the traffic front and the
/// admin listener; then runs them as one service group until SIGTERM/SIGINT.
public struct EdgeAgent {
    public let configuration: EdgeConfiguration
    let logger: Logger

    public init(configuration: EdgeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let configuration = configuration
        let dataDirectory = configuration.dataDirectory
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw EdgeConfigurationError.invalid(
                setting: "data_dir (TOLLGATE_EDGE_DATA_DIR)", reason: "cannot create \(dataDirectory.path): \(error.localizedDescription)")
        }
        let stateFile = dataDirectory.appendingPathComponent("state.json")
        let store = StateStore(logger: logger)
        if let policyFile = configuration.policyFile {
            store.replace(with: try StateFile.read(policyFile))
            logger.info("standalone mode: deciding from the policy file", metadata: ["file": "\(policyFile.path)"])
        } else if FileManager.default.fileExists(atPath: stateFile.path) {
            do {
                store.replace(with: try StateFile.read(stateFile))
                logger.info("serving the last-known state until the control plane answers", metadata: [
                    "version": "\(store.source.version ?? "")",
                ])
            } catch {
                logger.warning("ignoring an unreadable saved state", metadata: ["error": "\(error)"])
            }
        }

        let spool = try UsageSpool(directory: dataDirectory.appendingPathComponent("spool"), logger: logger)
        defer { spool.close() }
        let allowances = AllowanceBook(enforced: !configuration.isStandalone)
        let counters = TrafficCounters()
        let accessLog = configuration.accessLog ? AccessLog() : nil
        defer { accessLog?.close() }
        let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)

        var services: [any Service] = []
        var renewer: AllowanceRenewer?
        var httpClient: HTTPClient?
        if let controlPlaneURL = configuration.controlPlaneURL {
            let client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: .init(
                timeout: .init(connect: .seconds(10)), decompression: .disabled))
            httpClient = client
            let session = ControlPlaneSession(
                client: ControlPlaneClient(baseURL: controlPlaneURL, httpClient: client, credential: nil),
                credential: configuration.credential, enrollmentToken: configuration.enrollmentToken,
                name: configuration.name, dataDirectory: dataDirectory, logger: logger)
            let allowanceRenewer = AllowanceRenewer(session: session, allowances: allowances, logger: logger)
            renewer = allowanceRenewer
            services += [
                SyncService(session: session, store: store, allowances: allowances, stateFile: stateFile, logger: logger),
                UsageShipper(session: session, spool: spool, allowances: allowances, logger: logger),
                MetricsPusher(session: session, counters: counters, logger: logger),
                allowanceRenewer,
            ]
        }

        // Where x402 clients are told to register: the control plane's crawler sign-up.
        let responses = PayPerCrawlResponses(
            registrationURL: configuration.controlPlaneURL.map { $0.appendingPathComponent("v1/crawler/signup").absoluteString })
        let pipeline = DecisionPipeline(
            stages: DecisionPipeline.standardStages(
                failMode: configuration.failMode, responses: responses, spool: spool, allowances: allowances,
                renewer: renewer),
            store: store, observer: DecisionObservers([counters] + (accessLog.map { [$0] } ?? [])))
        services.append(EdgeServer(
            configuration: try frontConfiguration(), decider: pipeline, eventLoopGroup: eventLoopGroup, logger: logger))
        if let admin = configuration.adminListen {
            services.append(AdminServer(
                address: admin, group: eventLoopGroup,
                exposition: PrometheusExposition(
                    counters: counters, spool: spool, allowances: allowances, store: store, accessLog: accessLog),
                store: store, logger: logger))
        }

        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await httpClient?.shutdown()
            try? await eventLoopGroup.shutdownGracefully()
            throw error
        }
        try? await httpClient?.shutdown()
        try? await eventLoopGroup.shutdownGracefully()
    }

    func frontConfiguration() throws -> EdgeServerConfiguration {
        let trusted = configuration.trustedProxies.compactMap(IPAddressRange.init)
        let mode: EdgeServerConfiguration.Mode
        switch configuration.mode {
        case .forwardAuth:
            mode = .forwardAuth
        case .proxy:
            guard let upstream = configuration.upstream, let host = upstream.host else {
                throw EdgeConfigurationError.missing(setting: "upstream (TOLLGATE_EDGE_UPSTREAM)", reason: "proxy mode forwards to it")
            }
            mode = .reverseProxy(UpstreamConfiguration(
                host: host, port: upstream.port ?? 80,
                responseHeadTimeout: .seconds(Int64(configuration.upstreamTimeoutSeconds))))
        }
        return EdgeServerConfiguration(
            host: configuration.listen.host, port: configuration.listen.port, mode: mode, trustedProxies: trusted)
    }
}
