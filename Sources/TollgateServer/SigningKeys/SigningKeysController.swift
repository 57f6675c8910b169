import Foundation
import Hummingbird
import TollgateCore

/// `GET /v1/keys/{crawl-tokens,receipts}`: the public keys (a JWKS) anyone verifies tokens and receipts with, and
/// `POST /v1/operator/signing-keys/{purpose}/rotate` for the platform operator.
struct SigningKeysController {
    let keys: any SigningKeyRepository
    let auth: OperatorAuth

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("keys/crawl-tokens") { _, _ in try await publish(.crawlToken) }
        group.get("keys/receipts") { _, _ in try await publish(.receipt) }
        group.post("operator/signing-keys/{purpose}/rotate", use: rotate)
    }

    struct RotatedResponse: Encodable {
        let id: String
        let purpose: SigningKeyPurpose
        let createdAt: Date
    }

    private func publish(_ purpose: SigningKeyPurpose) async throws -> Response {
        // Make sure there is a key to publish before anything has been signed.
        _ = try await keys.activeKey(purpose)
        let directory = CrawlTokenPublicKeySet(try await keys.publishedKeys(purpose).map(\.publicKey)).directory
        var response = Response(
            status: .ok, headers: [.contentType: KeyDirectory.mediaType],
            body: .init(byteBuffer: ByteBuffer(bytes: try directory.encoded())))
        // Verifiers may cache briefly; a rotation publishes the new key before it signs anything else.
        response.headers[.cacheControl] = "public, max-age=300"
        return response
    }

    func rotate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (operatorAccount, _) = try await auth.require(request)
        guard let purpose = SigningKeyPurpose(rawValue: try context.parameters.require("purpose")) else {
            throw Problem.notFound("Signing key purpose")
        }
        let key = try await keys.rotate(purpose) { id in
            AuditRecord(
                action: "signing_key.rotated", actor: operatorAccount.auditActor, clientAddress: context.clientAddress,
                targetType: "signing_key", targetID: id, details: ["purpose": purpose.rawValue])
        }
        return try .json(RotatedResponse(id: key.id, purpose: purpose, createdAt: key.createdAt), status: .created)
    }
}
