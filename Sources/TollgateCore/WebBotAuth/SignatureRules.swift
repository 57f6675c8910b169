import Foundation

/// The rules every Ed25519 message signature we accept shares, whether a crawler signed a request or a key directory
/// signed its response: the required parameters, the validity window, and one 64-byte signature under the label.
struct SignatureRules: Sendable {
    /// Seconds of clock difference tolerated on both `created` and `expires`.
    var clockSkew: Int64
    /// When set, signatures valid for longer than this many seconds are refused.
    var maximumValidity: Int64?

    /// `keyid` present, `alg` (when present) `ed25519`, `created` before `expires`, no longer valid than allowed.
    func parameters(of input: SignatureInput) throws(WebBotAuthError) -> (keyID: String, created: Int64, expires: Int64) {
        let parameters = input.parameters
        guard let keyID = parameters.keyID, !keyID.isEmpty else { throw WebBotAuthError.missingParameter("keyid") }
        if let algorithm = parameters.algorithm, algorithm != WebBotAuthVerifier.algorithm {
            throw WebBotAuthError.unsupportedAlgorithm(algorithm)
        }
        guard let created = parameters.created else { throw WebBotAuthError.missingParameter("created") }
        guard let expires = parameters.expires else { throw WebBotAuthError.missingParameter("expires") }
        guard expires > created else { throw WebBotAuthError.invalidParameter("expires", reason: "not after created") }
        if let maximumValidity, expires - created > maximumValidity {
            throw WebBotAuthError.validityTooLong(seconds: expires - created, maximum: maximumValidity)
        }
        return (keyID, created, expires)
    }

    /// `created` not in the future and `expires` not in the past, within the clock skew.
    func checkWindow(created: Int64, expires: Int64, now: Date) throws(WebBotAuthError) {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        if created > nowSeconds + clockSkew { throw WebBotAuthError.notYetValid(created: created, now: nowSeconds) }
        if expires < nowSeconds - clockSkew { throw WebBotAuthError.expired(expires: expires, now: nowSeconds) }
    }

    /// The signature bytes `Signature` holds under the input's label.
    static func signature(of input: SignatureInput, in signatures: StructuredFieldDictionary) throws(WebBotAuthError) -> [UInt8] {
        guard let member = signatures[input.label] else { throw WebBotAuthError.missingSignature(label: input.label) }
        guard case .item(let item) = member, let bytes = item.bareItem.byteSequenceValue, bytes.count == 64 else {
            throw WebBotAuthError.malformedSignature(label: input.label)
        }
        return bytes
    }
}
