import Crypto
import Foundation

/// Signs a key directory response the way the draft asks a directory server to: one signature per key, labels
/// `binding0`, `binding1`, …, each over `"@authority";req` with `tag="http-message-signatures-directory"`.
public struct KeyDirectorySigner: Sendable {
    public let privateKeys: [Curve25519.Signing.PrivateKey]
    /// Seconds from `created` to `expires` when no explicit expiry is given.
    public var validity: Int64

    public init(privateKeys: [Curve25519.Signing.PrivateKey], validity: Int64 = 300) {
        self.privateKeys = privateKeys
        self.validity = validity
    }

    /// The public directory these keys sign.
    public var directory: KeyDirectory {
        KeyDirectory(keys: privateKeys.map { JSONWebKey(ed25519PublicKey: $0.publicKey) })
    }

    /// - Parameters:
    ///   - request: the request being answered; its authority is what the signatures cover.
    ///   - nonce: the `nonce` parameter of every signature; by default base64 of 32 random bytes per signature.
    public func sign(
        responseTo request: some MessageSignatureRequest, created: Date, expires: Date? = nil, nonce: String? = nil
    ) throws(WebBotAuthError) -> KeyDirectorySignatureHeaders {
        let createdSeconds = Int64(created.timeIntervalSince1970.rounded(.down))
        let expiresSeconds = expires.map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? createdSeconds + validity
        var inputMembers: [String] = []
        var signatureMembers: [String] = []
        for (index, privateKey) in privateKeys.enumerated() {
            let parameters = SignatureParameters(
                created: createdSeconds, expires: expiresSeconds, keyID: JWKThumbprint.thumbprint(of: privateKey.publicKey),
                algorithm: WebBotAuthVerifier.algorithm, nonce: nonce ?? Data(SecureRandom.bytes(32)).base64EncodedString(),
                tag: KeyDirectorySignatureVerifier.tag)
            let input = SignatureInput(
                label: "binding\(index)", components: [KeyDirectorySignatureVerifier.coveredAuthority], parameters: parameters)
            let base = try ResponseSignatureBase.build(for: input, response: MessageSignatureResponseHead(status: 200), request: request)
            let signature: [UInt8]
            do {
                signature = Array(try privateKey.signature(for: Array(base.utf8)))
            } catch {
                throw WebBotAuthError.signingFailed("\(error)")
            }
            inputMembers.append(try input.headerMember())
            do {
                signatureMembers.append(
                    try StructuredFieldSerializer.serialize(
                        [input.label: .item(StructuredFieldItem(.byteSequence(signature)))] as StructuredFieldDictionary))
            } catch {
                throw WebBotAuthError.signingFailed(error.description)
            }
        }
        return KeyDirectorySignatureHeaders(
            signatureInput: inputMembers.joined(separator: ", "), signature: signatureMembers.joined(separator: ", "))
    }
}

/// The `Signature-Input` and `Signature` values to send with a directory response.
public struct KeyDirectorySignatureHeaders: Sendable, Hashable {
    public let signatureInput: String
    public let signature: String

    public init(signatureInput: String, signature: String) {
        self.signatureInput = signatureInput
        self.signature = signature
    }

    public var fields: [MessageSignatureRequestHead.Field] {
        [.init("Signature-Input", signatureInput), .init("Signature", signature)]
    }
}
