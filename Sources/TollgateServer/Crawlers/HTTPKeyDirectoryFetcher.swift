import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import TollgateCore

/// Fetches key directories with AsyncHTTPClient: GET with the directory media type, no redirects, connect
/// timeout 5 s, whole request 10 s, body at most 64 KiB; then `KeyDirectoryResponse` checks what came back.
struct HTTPKeyDirectoryFetcher: KeyDirectoryFetcher {
    static let connectTimeout: TimeAmount = .seconds(5)
    static let totalTimeout: TimeAmount = .seconds(10)

    let logger: Logger

    func fetch(_ url: KeyDirectoryURL) async throws(KeyDirectoryFetchError) -> FetchedKeyDirectory {
        // A client per fetch: fetches are rare (minutes to a day apart per crawler), and a client owned by the
        // call is always shut down, which a process-wide one would need a lifecycle hook for.
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(
                certificateVerification: .fullVerification, redirectConfiguration: .disallow,
                timeout: .init(connect: Self.connectTimeout, read: Self.totalTimeout), decompression: .disabled))
        let result: Result<KeyDirectoryResponse, KeyDirectoryFetchError>
        do {
            result = .success(try await get(url, client: client))
        } catch let error as KeyDirectoryFetchError {
            result = .failure(error)
        } catch {
            result = .failure(Task.isCancelled ? .cancelled : .unreachable(Self.describe(error)))
        }
        try? await client.shutdown()
        switch result {
        case .success(let response):
            let fetched = try response.verify()
            logger.debug("key directory fetched", metadata: ["url": "\(url)", "keys": "\(fetched.keys.count)"])
            return fetched
        case .failure(let error):
            throw error
        }
    }

    private func get(_ url: KeyDirectoryURL, client: HTTPClient) async throws -> KeyDirectoryResponse {
        var request = HTTPClientRequest(url: url.string)
        request.method = .GET
        request.headers.add(name: "Accept", value: "\(KeyDirectory.mediaType), application/json;q=0.5")
        request.headers.add(name: "User-Agent", value: "Tollgate key directory fetcher")
        let response = try await client.execute(request, timeout: Self.totalTimeout, logger: logger)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: KeyDirectoryResponse.maxBodySize)
        } catch is NIOTooManyBytesError {
            throw KeyDirectoryFetchError.tooLarge(limit: KeyDirectoryResponse.maxBodySize)
        }
        return KeyDirectoryResponse(
            url: url, status: Int(response.status.code),
            fields: response.headers.map { MessageSignatureRequestHead.Field($0.name, $0.value) },
            body: Array(body.readableBytesView), receivedAt: Date())
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .connectTimeout: "connecting took longer than 5 s"
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout: "no complete answer within 10 s"
        default: String(describing: error)
        }
    }
}
