/// Why a Web Bot Auth (RFC 9421) signature was not produced or not accepted. Each case names the rule it breaks.
public enum WebBotAuthError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `Signature-Input` or `Signature` is absent.
    case missingHeader(String)
    /// A header is not the structured field its definition requires.
    case malformedHeader(String, StructuredFieldError)
    /// A `Signature-Input` member is not an inner list of component names, or a parameter has the wrong type.
    case malformedSignatureInput(label: String, reason: String)
    /// `Signature` has no member for the label chosen from `Signature-Input`.
    case missingSignature(label: String)
    /// The `Signature` member is not a byte sequence of a 64-byte Ed25519 signature.
    case malformedSignature(label: String)
    /// Rule 1: no signature carries `tag="web-bot-auth"` (the tag found, if any, is given).
    case tagMismatch(found: String?)
    /// Rule 2/3: a required signature parameter (`keyid`, `created`, `expires`) is absent.
    case missingParameter(String)
    /// A signature parameter has an impossible value (e.g. `expires` before `created`).
    case invalidParameter(String, reason: String)
    /// Rule 2: `created` lies in the future.
    case notYetValid(created: Int64, now: Int64)
    /// Rule 2: `expires` lies in the past.
    case expired(expires: Int64, now: Int64)
    /// Policy: the signature's lifetime exceeds the verifier's maximum.
    case validityTooLong(seconds: Int64, maximum: Int64)
    /// `alg` names an algorithm other than `ed25519`.
    case unsupportedAlgorithm(String)
    /// Rule 4: neither `@authority` nor `@target-uri` is covered.
    case authorityNotCovered
    /// Rule 5: the request has a `Signature-Agent` header that the signature does not cover.
    case signatureAgentNotCovered
    /// Pay-per-crawl: a price header is present but not covered by the signature.
    case priceHeaderNotCovered(String)
    /// A component is listed twice in the covered components.
    case duplicateComponent(String)
    /// A derived component we do not implement (`@query-param`, `@status`, unknown names).
    case unsupportedComponent(String)
    /// A component parameter we do not implement (`sf`, `bs`, `req`, `tr`, `name`, or `key` on a derived component).
    case unsupportedComponentParameter(component: String, parameter: String)
    /// A covered header field is absent from the request.
    case missingComponent(String)
    /// A covered `;key=` member is absent from the dictionary field.
    case missingDictionaryMember(field: String, key: String)
    /// A component value that cannot appear in a signature base (a line break).
    case invalidComponentValue(String)
    /// The `Signature-Agent` header is not a quoted https URL in either accepted form.
    case invalidSignatureAgent(String)
    /// No public key is known for `keyid`.
    case unknownKey(String)
    /// The Ed25519 signature does not verify over the signature base.
    case signatureMismatch
    /// The signer could not produce a signature.
    case signingFailed(String)

    public var description: String {
        switch self {
        case .missingHeader(let name): "missing \(name) header"
        case .malformedHeader(let name, let error): "malformed \(name) header: \(error)"
        case .malformedSignatureInput(let label, let reason): "malformed Signature-Input member \(label): \(reason)"
        case .missingSignature(let label): "Signature header has no member \(label)"
        case .malformedSignature(let label): "Signature member \(label) is not a 64-byte Ed25519 signature"
        case .tagMismatch(let found):
            "rule tag: no signature has tag=\"web-bot-auth\"" + (found.map { " (found \"\($0)\")" } ?? "")
        case .missingParameter(let name): "rule \(name): the signature parameter \(name) is required"
        case .invalidParameter(let name, let reason): "signature parameter \(name) is invalid: \(reason)"
        case .notYetValid(let created, let now): "rule created: created=\(created) is after now=\(now)"
        case .expired(let expires, let now): "rule expires: expires=\(expires) is before now=\(now)"
        case .validityTooLong(let seconds, let maximum):
            "rule expires: signature is valid for \(seconds) s, more than the allowed \(maximum) s"
        case .unsupportedAlgorithm(let alg): "rule alg: unsupported algorithm \"\(alg)\"; only ed25519 is accepted"
        case .authorityNotCovered: "rule coverage: the signature must cover \"@authority\" (or \"@target-uri\")"
        case .signatureAgentNotCovered: "rule coverage: Signature-Agent is present but not covered by the signature"
        case .priceHeaderNotCovered(let name): "rule coverage: \(name) is present but not covered by the signature"
        case .duplicateComponent(let name): "component \(name) is covered more than once"
        case .unsupportedComponent(let name): "component \(name) is not supported"
        case .unsupportedComponentParameter(let component, let parameter):
            "parameter \(parameter) on component \(component) is not supported"
        case .missingComponent(let name): "covered component \(name) is absent from the request"
        case .missingDictionaryMember(let field, let key): "covered dictionary field \(field) has no member \(key)"
        case .invalidComponentValue(let name): "value of component \(name) contains a line break"
        case .invalidSignatureAgent(let reason): "invalid Signature-Agent: \(reason)"
        case .unknownKey(let keyID): "no public key is known for keyid \"\(keyID)\""
        case .signatureMismatch: "signature does not verify"
        case .signingFailed(let reason): "signing failed: \(reason)"
        }
    }
}
