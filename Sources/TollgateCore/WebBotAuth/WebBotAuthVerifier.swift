import Crypto
import Foundation

/// Verifies request signatures under the Web Bot Auth profile of RFC 9421 (rules of cloudflare/web-bot-auth plus
/// pay-per-crawl's signed price headers):
/// 1. `tag` is `web-bot-auth` (the first such member of `Signature-Input` is used);
/// 2. `created` is not in the future and `expires` is not in the past, against the clock passed in;
/// 3. `keyid` is present (and `alg`, when present, is `ed25519`);
/// 4. `@authority` (or `@target-uri`) is covered;
/// 5. `signature-agent` is covered when that header is present;
/// 6. `crawler-exact-price` / `crawler-max-price` are covered when present;
/// then the Ed25519 signature must verify over the signature base.
public struct WebBotAuthVerifier: Sendable {
    public static let tag = "web-bot-auth"
    public static let algorithm = "ed25519"

    /// Seconds of clock difference tolerated on both `created` and `expires`.
    public var clockSkew: Int64
    /// When set, signatures valid for longer than this many seconds are refused.
    public var maximumValidity: Int64?

    public init(clockSkew: Int64 = 0, maximumValidity: Int64? = nil) {
        self.clockSkew = clockSkew
        self.maximumValidity = maximumValidity
    }

    private var rules: SignatureRules { SignatureRules(clockSkew: clockSkew, maximumValidity: maximumValidity) }

    /// Finds the Web Bot Auth signature and applies the rules that need no clock or key.
    public func signature(in request: some MessageSignatureRequest) throws(WebBotAuthError) -> WebBotAuthSignature {
        guard let inputHeader = request.combinedHeaderValue(named: WebBotAuthHeaderName.signatureInput) else {
            throw WebBotAuthError.missingHeader(WebBotAuthHeaderName.signatureInput)
        }
        guard let signatureHeader = request.combinedHeaderValue(named: WebBotAuthHeaderName.signature) else {
            throw WebBotAuthError.missingHeader(WebBotAuthHeaderName.signature)
        }
        let inputs = try SignatureInput.parse(inputHeader)
        guard let input = inputs.first(where: { $0.parameters.tag == Self.tag }) else {
            throw WebBotAuthError.tagMismatch(found: inputs.lazy.compactMap(\.parameters.tag).first)
        }
        let (keyID, created, expires) = try rules.parameters(of: input)

        let names = Set(input.components.map(\.name))
        guard names.contains("@authority") || names.contains("@target-uri") else {
            throw WebBotAuthError.authorityNotCovered
        }
        var signatureAgent: SignatureAgent?
        var coveredAgents: [SignatureAgentEntry] = []
        if let agentHeader = request.combinedHeaderValue(named: WebBotAuthHeaderName.signatureAgent) {
            let agent = try SignatureAgent.parse(agentHeader)
            let covering = input.components.filter { $0.name == WebBotAuthHeaderName.signatureAgent }
            guard !covering.isEmpty else { throw WebBotAuthError.signatureAgentNotCovered }
            for component in covering {
                guard let key = component.key else {
                    coveredAgents = agent.entries
                    break
                }
                guard agent.form == .dictionary, let entry = agent.entry(label: key) else {
                    throw WebBotAuthError.missingDictionaryMember(field: WebBotAuthHeaderName.signatureAgent, key: key)
                }
                coveredAgents.append(entry)
            }
            signatureAgent = agent
        }
        for priceHeader in WebBotAuthHeaderName.priceHeaders
        where !request.headerValues(named: priceHeader).isEmpty && !names.contains(priceHeader) {
            throw WebBotAuthError.priceHeaderNotCovered(priceHeader)
        }

        let signatures: StructuredFieldDictionary
        do {
            signatures = try StructuredFieldParser.parseDictionary(signatureHeader)
        } catch {
            throw WebBotAuthError.malformedHeader(WebBotAuthHeaderName.signature, error)
        }
        return WebBotAuthSignature(
            input: input, signature: try SignatureRules.signature(of: input, in: signatures), keyID: keyID,
            created: created, expires: expires, signatureAgent: signatureAgent, coveredAgents: coveredAgents
        )
    }

    /// Checks the validity window against `now`, then the Ed25519 signature with `publicKey`.
    public func verify(
        _ signature: WebBotAuthSignature, in request: some MessageSignatureRequest,
        publicKey: Curve25519.Signing.PublicKey, now: Date
    ) throws(WebBotAuthError) -> VerifiedWebBotAuthSignature {
        try rules.checkWindow(created: signature.created, expires: signature.expires, now: now)
        let base = try SignatureBase.build(for: signature.input, request: request)
        guard publicKey.isValidSignature(signature.signature, for: Array(base.utf8)) else {
            throw WebBotAuthError.signatureMismatch
        }
        return VerifiedWebBotAuthSignature(signature: signature, signatureBase: base)
    }

    /// Both steps; `key` looks the public key up from the parsed signature (its `keyID` and `signatureAgent`).
    public func verify(
        _ request: some MessageSignatureRequest, now: Date,
        key: (WebBotAuthSignature) -> Curve25519.Signing.PublicKey?
    ) throws(WebBotAuthError) -> VerifiedWebBotAuthSignature {
        let signature = try signature(in: request)
        guard let publicKey = key(signature) else { throw WebBotAuthError.unknownKey(signature.keyID) }
        return try verify(signature, in: request, publicKey: publicKey, now: now)
    }
}
