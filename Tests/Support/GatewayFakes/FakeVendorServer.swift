import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A vendor fake from Tests/fakes (Python, started on a loopback port) and its control API.
/// `make test` installs the Python side into .venv; elsewhere set TOLLGATE_PYTHON to an interpreter that has
/// Tests/e2e/requirements.txt installed.
public final class FakeVendorServer: @unchecked Sendable {
    public struct RecordedRequest: Decodable, Sendable {
        public let method: String
        public let path: String
        public let query: [[String]]
        public let headers: [String: String]
        public let body: String
        /// What the vendor's spec (or documented wire rules) would have refused; empty for a good request.
        public let problems: [String]
    }

    public struct Event: Decodable, Sendable {
        public let id: String
        public let body: String
        public let headers: [String: String]
        public let deliveries: [Int]
    }

    public enum Fault {
        case status(Int, match: String?, times: Int = 1)
        case rateLimit(retryAfterSeconds: Int, match: String?, times: Int = 1)
        case dropAfterSuccess(match: String?, times: Int = 1)
        case delayAfterSuccess(seconds: Double, match: String?, times: Int = 1)
        case decline(match: String?, times: Int = 1)
    }

    public let vendor: String
    public let baseURL: String
    private let process: Process
    private let client: HTTPClient

    private init(vendor: String, baseURL: String, process: Process) {
        self.vendor = vendor
        self.baseURL = baseURL
        self.process = process
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? client.syncShutdown()
    }

    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts `python -m gateway_fakes VENDOR` and waits for its READY line.
    public static func start(_ vendor: String, options: [String: String] = [:]) async throws -> FakeVendorServer {
        let root = repositoryRoot
        let python = ProcessInfo.processInfo.environment["TOLLGATE_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw FakeError("no Python for the gateway fakes at \(python): run `make test` (or scripts/venv.sh) first, or set TOLLGATE_PYTHON")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "gateway_fakes", vendor] + options.sorted { $0.key < $1.key }.flatMap { ["--option", "\($0.key)=\($0.value)"] }
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = root.appendingPathComponent("Tests/fakes").path
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while true {
                    let chunk = output.fileHandleForReading.readData(ofLength: 1)
                    guard let byte = chunk.first else { continuation.resume(returning: nil); return }
                    if byte == UInt8(ascii: "\n") { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        guard let line, line.hasPrefix("READY ") else {
            process.terminate()
            throw FakeError("the \(vendor) fake did not start (said: \(line ?? "nothing")); see its output above")
        }
        return FakeVendorServer(vendor: vendor, baseURL: String(line.dropFirst("READY ".count)), process: process)
    }

    /// Sends SIGTERM. It does not wait: Foundation's `waitUntilExit` busy-spins on Linux once the child is gone.
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    // MARK: control API

    public func reset() async throws { _ = try await control(.POST, "/_fake/reset") }

    /// Where webhooks go; with `autoDeliver` each event is posted right after the response that caused it.
    public func configureWebhooks(url: String, autoDeliver: Bool = true) async throws {
        _ = try await control(.POST, "/_fake/config", ["webhook_url": url, "auto_deliver": autoDeliver])
    }

    public func inject(_ fault: Fault) async throws {
        let (body, match): ([String: Any], String?) =
            switch fault {
            case .status(let status, let match, let times): (["kind": "status", "status": status, "times": times], match)
            case .rateLimit(let seconds, let match, let times): (["kind": "rate_limit", "retry_after": seconds, "times": times], match)
            case .dropAfterSuccess(let match, let times): (["kind": "drop_after_success", "times": times], match)
            case .delayAfterSuccess(let seconds, let match, let times): (["kind": "delay_after_success", "seconds": seconds, "times": times], match)
            case .decline(let match, let times): (["kind": "decline", "times": times], match)
            }
        _ = try await control(.POST, "/_fake/faults", match.map { body.merging(["match": $0]) { $1 } } ?? body)
    }

    public func requests() async throws -> [RecordedRequest] {
        try JSONDecoder().decode([RecordedRequest].self, from: try await control(.GET, "/_fake/requests"))
    }

    public func events() async throws -> [Event] {
        try JSONDecoder().decode([Event].self, from: try await control(.GET, "/_fake/events"))
    }

    /// (Re)delivers events now; returns the HTTP status of each delivery (0 when unreachable).
    @discardableResult
    public func deliver(ids: [String]? = nil, reverse: Bool = false, times: Int = 1) async throws -> [Int] {
        var body: [String: Any] = ["reverse": reverse, "times": times]
        if let ids { body["ids"] = ids }
        let data = try await control(.POST, "/_fake/events/deliver", body)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["statuses"] as? [Any])?.compactMap { $0 as? Int } ?? []
    }

    /// The vendor's objects as JSON, for assertions.
    public func state() async throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try await control(.GET, "/_fake/state")) as? [String: Any] ?? [:]
    }

    private func control(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        guard response.status.code < 300 else {
            throw FakeError("\(vendor) fake: \(method) \(path) → \(response.status.code) \(String(buffer: bytes))")
        }
        return Data(bytes.readableBytesView)
    }
}

public struct FakeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
