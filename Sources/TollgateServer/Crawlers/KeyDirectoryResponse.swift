import Foundation
import TollgateCore

/// A key directory response as received, checked without further I/O: status, media type, JWKS body, the
/// directory's own signature over the authority it was fetched from, and its cache lifetime.
struct KeyDirectoryResponse: Sendable {
    static let maxBodySize = 64 * 1024
    static let acceptedMediaTypes: Set<String> = [KeyDirectory.mediaType, "application/json"]

    let url: KeyDirectoryURL
    let status: Int
    let fields: [MessageSignatureRequestHead.Field]
    let body: [UInt8]
    let receivedAt: Date

    func verify(with verifier: KeyDirectorySignatureVerifier = .init()) throws(KeyDirectoryFetchError) -> FetchedKeyDirectory {
        let response = MessageSignatureResponseHead(status: status, fields: fields)
        if (300..<400).contains(status) {
            throw .redirected(status: status, location: response.combinedHeaderValue(named: "location"))
        }
        guard status == 200 else { throw .httpStatus(status) }
        let contentType = response.combinedHeaderValue(named: "content-type")
        let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard let mediaType, Self.acceptedMediaTypes.contains(mediaType) else { throw .wrongContentType(contentType) }
        guard body.count <= Self.maxBodySize else { throw .tooLarge(limit: Self.maxBodySize) }

        let directory: KeyDirectory
        let periods: [JWKValidityPeriod]
        do {
            directory = try KeyDirectory.parse(body)
            periods = try JWKValidityPeriod.ofDirectory(body)
        } catch {
            throw .invalid(error.description)
        }
        guard !directory.keys.isEmpty else { throw .invalid("it lists no keys") }
        guard let request = MessageSignatureRequestHead(url: url.string) else { throw .notAllowed("\(url) is not an http(s) URL") }
        let verified: VerifiedKeyDirectory
        do {
            verified = try verifier.verify(directory, response: response, request: request, now: receivedAt)
        } catch {
            throw .unsigned(error.description)
        }
        return FetchedKeyDirectory(
            url: url.string, fetchedAt: receivedAt,
            cacheLifetime: KeyDirectoryCacheLifetime.seconds(cacheControl: response.combinedHeaderValue(named: "cache-control")),
            keys: verified.signedKeys.map { .init(thumbprint: $0.thumbprint, jwk: CrawlerKey.storedJWK($0.key), validity: periods[$0.index]) },
            ignored: verified.ignoredKeys.map { key in "keys[\(key.index)]\(key.thumbprint.map { " (\($0))" } ?? ""): \(key.reason)" })
    }
}
