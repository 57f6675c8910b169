import Crypto
import Foundation

/// Signs requests the way Web Bot Auth crawlers do: covers `@authority`, the `Signature-Agent` it announces, any
/// pay-per-crawl price header on the request and extra components asked for; parameters `created`, `keyid`
/// (the key's JWK thumbprint), `alg`, `expires`, `nonce`, `tag="web-bot-auth"`.
public struct WebBotAuthSigner: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    public let keyID: String
    public var signatureAgent: SignatureAgent?
    public var label: String
    /// Seconds from `created` to `expires` when no explicit expiry is given; the draft suggests about a minute.
    public var validity: Int64

    public init(
        privateKey: Curve25519.Signing.PrivateKey, signatureAgent: SignatureAgent? = nil, label: String = "sig1",
        validity: Int64 = 60
    ) {
        self.privateKey = privateKey
        self.keyID = JWKThumbprint.thumbprint(of: privateKey.publicKey)
        self.signatureAgent = signatureAgent
        self.label = label
        self.validity = validity
    }

    /// - Parameters:
    ///   - nonce: the `nonce` parameter; by default base64 of 64 random bytes, as the drafts recommend.
    public func sign(
        _ request: some MessageSignatureRequest, created: Date, expires: Date? = nil, nonce: String? = nil,
        additionalComponents: [SignatureComponent] = []
    ) throws(WebBotAuthError) -> WebBotAuthSignatureHeaders {
        let createdSeconds = Int64(created.timeIntervalSince1970.rounded(.down))
        let expiresSeconds = expires.map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? createdSeconds + validity
        let agentHeader = try signatureAgent?.headerValue()
        let signedRequest = AgentOverlay(base: request, signatureAgent: agentHeader)

        var components: [SignatureComponent] = [.authority]
        if let signatureAgent {
            switch signatureAgent.form {
            case .string: components.append(SignatureComponent(WebBotAuthHeaderName.signatureAgent))
            case .dictionary:
                for entry in signatureAgent.entries {
                    components.append(SignatureComponent(WebBotAuthHeaderName.signatureAgent, key: entry.label))
                }
            }
        }
        for priceHeader in WebBotAuthHeaderName.priceHeaders where !request.headerValues(named: priceHeader).isEmpty {
            components.append(SignatureComponent(priceHeader))
        }
        for component in additionalComponents where !components.contains(component) {
            components.append(component)
        }

        let parameters = SignatureParameters(
            created: createdSeconds, expires: expiresSeconds, keyID: keyID, algorithm: WebBotAuthVerifier.algorithm,
            nonce: nonce ?? Data(SecureRandom.bytes(64)).base64EncodedString(), tag: WebBotAuthVerifier.tag
        )
        let input = SignatureInput(label: label, components: components, parameters: parameters)
        let base = try SignatureBase.build(for: input, request: signedRequest)
        let signature: [UInt8]
        do {
            signature = Array(try privateKey.signature(for: Array(base.utf8)))
        } catch {
            throw WebBotAuthError.signingFailed("\(error)")
        }
        let signatureHeader: String
        do {
            signatureHeader = try StructuredFieldSerializer.serialize(
                [label: .item(StructuredFieldItem(.byteSequence(signature)))] as StructuredFieldDictionary
            )
        } catch {
            throw WebBotAuthError.signingFailed(error.description)
        }
        return WebBotAuthSignatureHeaders(
            signatureInput: try input.headerMember(), signature: signatureHeader, signatureAgent: agentHeader,
            signatureBase: base
        )
    }
}

/// The request as it will be sent: the signer's `Signature-Agent` replaces any the caller had set.
private struct AgentOverlay<Base: MessageSignatureRequest>: MessageSignatureRequest {
    let base: Base
    let signatureAgent: String?

    var method: String { base.method }
    var scheme: String { base.scheme }
    var authority: String { base.authority }
    var path: String { base.path }
    var query: String? { base.query }

    func headerValues(named name: String) -> [String] {
        if name == WebBotAuthHeaderName.signatureAgent, let signatureAgent { return [signatureAgent] }
        return base.headerValues(named: name)
    }
}
