import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TollgateCore

/// The agent's calls to the control plane (fleet protocol, `FleetProtocol`), over AsyncHTTPClient.
public struct ControlPlaneClient: Sendable {
    public struct Enrollment: Sendable, Decodable {
        public let agentID: UUID
        public let tenantID: UUID
        public let credential: String

        private enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case tenantID = "tenant_id"
            case credential
        }
    }

    public static let agentVersion = "0.1.0"

    /// Without a trailing slash, so paths append as they are.
    let baseURL: String
    let httpClient: HTTPClient
    let credential: String?

    public init(baseURL: URL, httpClient: HTTPClient, credential: String?) {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.init(base: base, httpClient: httpClient, credential: credential)
    }

    private init(base: String, httpClient: HTTPClient, credential: String?) {
        baseURL = base
        self.httpClient = httpClient
        self.credential = credential
    }

    public func with(credential: String) -> ControlPlaneClient {
        ControlPlaneClient(base: baseURL, httpClient: httpClient, credential: credential)
    }

    public func enroll(token: String, name: String) async throws -> Enrollment {
        let body = try JSONSerialization.data(withJSONObject: ["token": token, "name": name, "version": Self.agentVersion])
        return try await call(.POST, FleetProtocol.enrollPath, body: body, timeout: .seconds(30), as: Enrollment.self)
    }

    /// A long poll: the control plane holds it up to `wait` seconds when nothing changed.
    public func sync(since version: String?, wait: Int) async throws -> SyncBundle {
        var path = FleetProtocol.syncPath + "?wait=\(wait)"
        if let version, !version.isEmpty,
            let encoded = version.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
        {
            path += "&since=\(encoded)"
        }
        return try await call(.GET, path, body: nil, timeout: .seconds(Int64(wait) + 20), as: SyncBundle.self)
    }

    public func postUsage(_ batch: UsageBatch) async throws -> UsageBatchResult {
        try await call(.POST, FleetProtocol.usagePath, body: FleetJSON.encoder().encode(batch), timeout: .seconds(30), as: UsageBatchResult.self)
    }

    public func postMetrics(_ batch: MetricsBatch) async throws {
        _ = try await send(.POST, FleetProtocol.metricsPath, body: FleetJSON.encoder().encode(batch), timeout: .seconds(15))
    }

    public func requestAllowances(_ request: AllowanceRequest) async throws -> AllowanceGrant {
        try await call(
            .POST, FleetProtocol.allowancesPath, body: FleetJSON.encoder().encode(request), timeout: .seconds(10),
            as: AllowanceGrant.self)
    }

    private func call<Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, body: Data?, timeout: TimeAmount, as: Answer.Type
    ) async throws -> Answer {
        let bytes = try await send(method, path, body: body, timeout: timeout)
        do {
            return try FleetJSON.decoder().decode(Answer.self, from: bytes)
        } catch let error as DecodingError {
            throw ControlPlaneError.malformedAnswer("\(path): \(error.summary)")
        }
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Data?, timeout: TimeAmount) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "user-agent", value: "tollgate-agent/\(Self.agentVersion)")
        request.headers.add(name: FleetProtocol.versionHeader, value: Self.agentVersion)
        request.headers.add(name: "accept", value: "application/json")
        if let credential { request.headers.add(name: "authorization", value: "Bearer \(credential)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ControlPlaneError.unreachable("\(method.rawValue) \(path): \(error)")
        }
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            let detail = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]).flatMap { $0?["detail"] as? String }
                ?? String(decoding: data.prefix(500), as: UTF8.self)
            if [401, 403, 410].contains(response.status.code) {
                throw ControlPlaneError.notAuthorized(status: Int(response.status.code), detail: detail)
            }
            throw ControlPlaneError.refused(status: Int(response.status.code), detail: detail)
        }
        return data
    }
}
