import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One vendor call on the wire: what adapters build.
public struct GatewayHTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?

    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A vendor's answer, read whole (gateway answers are small).
public struct GatewayHTTPResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `Retry-After` as delta-seconds or an HTTP date.
    public var retryAfter: Duration? {
        guard let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .seconds(max(0, Int(date.timeIntervalSinceNow.rounded(.up))))
    }
}

/// Sends vendor calls over a shared AsyncHTTPClient. Every failure to get a complete answer — refused connection,
/// reset, timeout — is `.transient`: the call may or may not have taken effect, so callers retry with the same
/// idempotency key or look the payment up.
public struct GatewayTransport: Sendable {
    public static let maxResponseBytes = 1 << 20

    let client: HTTPClient
    let timeout: TimeAmount

    public init(client: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.client = client
        self.timeout = timeout
    }

    public func send(_ request: GatewayHTTPRequest) async throws(GatewayError) -> GatewayHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: Self.maxResponseBytes)
            return GatewayHTTPResponse(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw .transient("the answer was larger than \(Self.maxResponseBytes) bytes")
        } catch let error as HTTPClientError {
            throw .transient(Self.describe(error))
        } catch {
            // Connection refused/reset and the like; never the URL, which may carry account identifiers.
            throw .transient("no answer: \(type(of: error))")
        }
    }

    private static func describe(_ error: HTTPClientError) -> String {
        switch error {
        case .connectTimeout: "connecting timed out"
        case .deadlineExceeded, .readTimeout: "no complete answer in time; the outcome is unknown"
        case .remoteConnectionClosed: "the connection closed before an answer; the outcome is unknown"
        default: "no answer: \(error.shortDescription)"
        }
    }
}
