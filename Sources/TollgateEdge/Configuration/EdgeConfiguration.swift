import Foundation
import Logging
import NIOCore

/// The agent's settings: a JSON file (`--config`, snake_case keys) overridden by `TOLLGATE_EDGE_*` environment
/// variables, the way a Helm chart sets them.
public struct EdgeConfiguration: Sendable, Equatable {
    public var mode: EdgeMode = .proxy
    public var listen = HostAndPort(host: "0.0.0.0", port: 8080)
    /// `/metrics`, `/healthz`, `/readyz`; nil turns the admin listener off.
    public var adminListen: HostAndPort? = HostAndPort(host: "0.0.0.0", port: 9090)
    public var upstream: URL?
    public var controlPlaneURL: URL?
    public var enrollmentToken: String?
    public var credential: String?
    public var name: String = ProcessInfo.processInfo.hostName
    public var dataDirectory = URL(fileURLWithPath: "/var/lib/tollgate-edge")
    /// Standalone mode: decide from this file, with no control plane.
    public var policyFile: URL?
    public var failMode: FailMode = .open
    public var trustedProxies: [String] = []
    public var upstreamTimeoutSeconds: Int = 30
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .json
    public var accessLog = true
    /// Event-loop threads serving requests; the CPUs the process may use (cgroup limits included) by default.
    public var threads = System.coreCount

    public enum LogFormat: String, Sendable, Codable, CaseIterable {
        case json, text
    }

    public init() {}

    public var isStandalone: Bool { policyFile != nil }

    /// Reads the file (if any), then the environment, then checks the combination.
    public static func load(file: URL?, environment: [String: String]) throws -> EdgeConfiguration {
        var configuration = EdgeConfiguration()
        if let file {
            let data: Data
            do {
                data = try Data(contentsOf: file)
            } catch {
                throw EdgeConfigurationError.unreadableFile(file.path, error.localizedDescription)
            }
            let settings: [String: Any]
            do {
                guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw EdgeConfigurationError.invalid(setting: file.path, reason: "must be a JSON object")
                }
                settings = object
            } catch let error as EdgeConfigurationError {
                throw error
            } catch {
                throw EdgeConfigurationError.invalid(setting: file.path, reason: "is not valid JSON (\(error.localizedDescription))")
            }
            for (key, value) in settings {
                guard let setting = Setting(rawValue: key) else {
                    throw EdgeConfigurationError.invalid(
                        setting: key, reason: "unknown setting in \(file.lastPathComponent); known: "
                            + Setting.allCases.map(\.rawValue).joined(separator: ", "))
                }
                let text: String
                switch value {
                case let string as String: text = string
                case let flag as Bool where setting == .accessLog: text = flag ? "true" : "false"
                case let number as NSNumber: text = number.stringValue
                case let list as [String]: text = list.joined(separator: ",")
                default: throw EdgeConfigurationError.invalid(setting: key, reason: "must be a string, number, boolean or list of strings")
                }
                try configuration.set(setting, text)
            }
        }
        for setting in Setting.allCases {
            if let value = environment[setting.environmentName] { try configuration.set(setting, value) }
        }
        try configuration.validate()
        return configuration
    }

    func validate() throws {
        if isStandalone && controlPlaneURL != nil {
            throw EdgeConfigurationError.invalid(
                setting: "policy_file", reason: "standalone mode (a policy file) and a control plane URL exclude each other")
        }
        if !isStandalone && controlPlaneURL == nil {
            throw EdgeConfigurationError.missing(
                setting: "control_plane_url (TOLLGATE_EDGE_CONTROL_PLANE_URL)",
                reason: "set it, or policy_file (TOLLGATE_EDGE_POLICY_FILE) for standalone mode")
        }
        if mode == .proxy && upstream == nil {
            throw EdgeConfigurationError.missing(
                setting: "upstream (TOLLGATE_EDGE_UPSTREAM)", reason: "proxy mode forwards to it, e.g. http://127.0.0.1:3000")
        }
        if mode == .proxy, let upstream, upstream.scheme != "http" {
            throw EdgeConfigurationError.invalid(
                setting: "upstream (TOLLGATE_EDGE_UPSTREAM)",
                reason: "\(upstream.absoluteString): the agent forwards plain HTTP/1.1 only; use an http:// address (TLS to the upstream is not supported)")
        }
        for proxy in trustedProxies where IPAddressRange(proxy) == nil {
            throw EdgeConfigurationError.invalid(setting: "trusted_proxies", reason: "\"\(proxy)\" is not an address or CIDR range")
        }
    }

    enum Setting: String, CaseIterable {
        case mode, listen, upstream, name
        case adminListen = "admin_listen"
        case controlPlaneURL = "control_plane_url"
        case enrollmentToken = "enrollment_token"
        case credential
        case dataDirectory = "data_dir"
        case policyFile = "policy_file"
        case failMode = "fail_mode"
        case trustedProxies = "trusted_proxies"
        case upstreamTimeoutSeconds = "upstream_timeout_seconds"
        case logLevel = "log_level"
        case logFormat = "log_format"
        case accessLog = "access_log"
        case threads

        var environmentName: String { "TOLLGATE_EDGE_" + rawValue.uppercased() }
    }

    mutating func set(_ setting: Setting, _ value: String) throws {
        func invalid(_ reason: String) -> EdgeConfigurationError {
            .invalid(setting: "\(setting.rawValue) (\(setting.environmentName))", reason: reason)
        }
        func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws -> T where T.RawValue == String {
            guard let parsed = T(rawValue: value) else {
                throw invalid("\"\(value)\" is not one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return parsed
        }
        func url() throws -> URL {
            guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
            else { throw invalid("\"\(value)\" is not an http(s) URL") }
            return url
        }
        func address() throws -> HostAndPort {
            guard let parsed = HostAndPort(value) else { throw invalid("\"\(value)\" is not host:port, e.g. 0.0.0.0:8080") }
            return parsed
        }
        switch setting {
        case .mode: mode = try choice(EdgeMode.self)
        case .listen: listen = try address()
        case .adminListen: adminListen = value.isEmpty || value == "off" ? nil : try address()
        case .upstream: upstream = try url()
        case .controlPlaneURL: controlPlaneURL = value.isEmpty ? nil : try url()
        case .enrollmentToken: enrollmentToken = value.isEmpty ? nil : value
        case .credential: credential = value.isEmpty ? nil : value
        case .name:
            guard (1...100).contains(value.count) else { throw invalid("must be 1 to 100 characters") }
            name = value
        case .dataDirectory: dataDirectory = URL(fileURLWithPath: value)
        case .policyFile: policyFile = value.isEmpty ? nil : URL(fileURLWithPath: value)
        case .failMode: failMode = try choice(FailMode.self)
        case .trustedProxies:
            trustedProxies = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .upstreamTimeoutSeconds:
            guard let seconds = Int(value), (1...3600).contains(seconds) else { throw invalid("must be 1 to 3600 seconds") }
            upstreamTimeoutSeconds = seconds
        case .logLevel:
            guard let level = Logger.Level(rawValue: value) else {
                throw invalid("\"\(value)\" is not one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            logLevel = level
        case .logFormat: logFormat = try choice(LogFormat.self)
        case .accessLog:
            guard let flag = ["true": true, "on": true, "1": true, "false": false, "off": false, "0": false][value.lowercased()]
            else { throw invalid("must be true or false") }
            accessLog = flag
        case .threads:
            guard let count = Int(value), (1...256).contains(count) else { throw invalid("must be 1 to 256") }
            threads = count
        }
    }
}

/// `host:port` of a listener (`[::]:8080` for IPv6).
public struct HostAndPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
