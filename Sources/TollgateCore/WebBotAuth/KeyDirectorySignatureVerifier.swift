import Crypto
import Foundation

/// Verifies the signatures a key directory puts on its own response (draft-meunier-http-message-signatures-directory
/// §5.2): each member tagged `http-message-signatures-directory` must cover `"@authority";req` (the authority the
/// directory was fetched from), name a directory key by its thumbprint in `keyid`, carry `created` and `expires`
/// (Tollgate rule: an undated signature could be replayed after a key is withdrawn) and verify with that key.
/// Keys that no valid signature covers are to be ignored, so the result lists them apart.
public struct KeyDirectorySignatureVerifier: Sendable {
    public static let tag = "http-message-signatures-directory"
    public static let coveredAuthority = SignatureComponent("@authority", fromRequest: true)

    /// Seconds of clock difference tolerated on both `created` and `expires`.
    public var clockSkew: Int64
    /// When set, signatures valid for longer than this many seconds are refused.
    public var maximumValidity: Int64?

    public init(clockSkew: Int64 = 60, maximumValidity: Int64? = nil) {
        self.clockSkew = clockSkew
        self.maximumValidity = maximumValidity
    }

    private var rules: SignatureRules { SignatureRules(clockSkew: clockSkew, maximumValidity: maximumValidity) }

    /// - Parameters:
    ///   - request: the request that fetched the directory; its authority is what the signatures must cover.
    /// - Returns: the directory split into keys proven by a signature and keys to ignore.
    /// - Throws: when no directory signature verifies, so no key is proven.
    public func verify(
        _ directory: KeyDirectory, response: MessageSignatureResponseHead, request: some MessageSignatureRequest, now: Date
    ) throws(KeyDirectorySignatureError) -> VerifiedKeyDirectory {
        guard let inputHeader = response.combinedHeaderValue(named: WebBotAuthHeaderName.signatureInput) else {
            throw KeyDirectorySignatureError.unsigned("the response has no Signature-Input header")
        }
        guard let signatureHeader = response.combinedHeaderValue(named: WebBotAuthHeaderName.signature) else {
            throw KeyDirectorySignatureError.unsigned("the response has no Signature header")
        }
        let inputs: [SignatureInput]
        let signatures: StructuredFieldDictionary
        do {
            inputs = try SignatureInput.parse(inputHeader)
        } catch {
            throw KeyDirectorySignatureError.malformed(error.description)
        }
        do {
            signatures = try StructuredFieldParser.parseDictionary(signatureHeader)
        } catch {
            throw KeyDirectorySignatureError.malformed("malformed Signature header: \(error)")
        }
        let directoryInputs = inputs.filter { $0.parameters.tag == Self.tag }
        guard !directoryInputs.isEmpty else {
            throw KeyDirectorySignatureError.unsigned("no Signature-Input member has tag=\"\(Self.tag)\"")
        }

        var candidates: [String: Curve25519.Signing.PublicKey] = [:]
        for jwk in directory.keys where jwk.isEd25519 {
            if let key = try? jwk.ed25519PublicKey(), let thumbprint = try? JWKThumbprint.thumbprint(of: jwk) {
                candidates[thumbprint] = key
            }
        }
        var provenBy: [String: String] = [:]
        var failures: [String] = []
        for input in directoryInputs {
            do {
                let thumbprint = try check(input, signatures: signatures, keys: candidates, response: response, request: request, now: now)
                if provenBy[thumbprint] == nil { provenBy[thumbprint] = input.label }
            } catch {
                failures.append("\(input.label): \(error)")
            }
        }
        guard !provenBy.isEmpty else { throw KeyDirectorySignatureError.noValidSignature(failures) }

        var signed: [VerifiedKeyDirectory.SignedKey] = []
        var ignored: [VerifiedKeyDirectory.IgnoredKey] = []
        for (index, jwk) in directory.keys.enumerated() {
            guard jwk.isEd25519 else {
                ignored.append(.init(index: index, thumbprint: try? JWKThumbprint.thumbprint(of: jwk), reason: "not an Ed25519 key"))
                continue
            }
            guard let thumbprint = try? JWKThumbprint.thumbprint(of: jwk), candidates[thumbprint] != nil else {
                ignored.append(.init(index: index, thumbprint: nil, reason: "the key material is invalid"))
                continue
            }
            guard let label = provenBy[thumbprint] else {
                ignored.append(.init(index: index, thumbprint: thumbprint, reason: "no valid signature by this key"))
                continue
            }
            signed.append(.init(index: index, thumbprint: thumbprint, key: jwk.publicKey, label: label))
        }
        return VerifiedKeyDirectory(signedKeys: signed, ignoredKeys: ignored, failures: failures)
    }

    /// One signature: the thumbprint of the directory key it verifies with.
    private func check(
        _ input: SignatureInput, signatures: StructuredFieldDictionary, keys: [String: Curve25519.Signing.PublicKey],
        response: MessageSignatureResponseHead, request: some MessageSignatureRequest, now: Date
    ) throws(WebBotAuthError) -> String {
        let (keyID, created, expires) = try rules.parameters(of: input)
        guard input.components.contains(Self.coveredAuthority) else { throw WebBotAuthError.authorityNotCovered }
        try rules.checkWindow(created: created, expires: expires, now: now)
        guard let publicKey = keys[keyID] else { throw WebBotAuthError.unknownKey(keyID) }
        let bytes = try SignatureRules.signature(of: input, in: signatures)
        let base = try ResponseSignatureBase.build(for: input, response: response, request: request)
        guard publicKey.isValidSignature(bytes, for: Array(base.utf8)) else { throw WebBotAuthError.signatureMismatch }
        return keyID
    }
}

/// A key directory after its response signatures were checked.
public struct VerifiedKeyDirectory: Sendable, Hashable {
    /// A directory key that signed the response.
    public struct SignedKey: Sendable, Hashable {
        /// Position in the directory's `keys` array.
        public let index: Int
        public let thumbprint: String
        /// The public JWK as the directory lists it (private members removed).
        public let key: JSONWebKey
        /// The `Signature-Input` label of the signature that proved it.
        public let label: String
    }

    /// A directory key to ignore, and why.
    public struct IgnoredKey: Sendable, Hashable {
        public let index: Int
        public let thumbprint: String?
        public let reason: String
    }

    public let signedKeys: [SignedKey]
    public let ignoredKeys: [IgnoredKey]
    /// Why each directory signature that did not verify failed, `label: reason`.
    public let failures: [String]
}
