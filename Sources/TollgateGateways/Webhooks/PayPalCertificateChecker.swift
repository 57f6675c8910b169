import Foundation
import NIOHTTP1
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509
import _CryptoExtras

/// PayPal's offline check done for real (PayPal-Python-SDK `notifications.py`, gateways reference §2):
///
/// 1. the `PAYPAL-CERT-URL` must be https on one of PayPal's API hosts
///    (``PayPalWebhookVerifier/certificateHosts``) or, for sandboxes and test fakes, on exactly the scheme, host and
///    port of the configured base URL;
/// 2. the PEM there (leaf first, then any intermediates) is fetched through ``GatewayTransport``, at most
///    ``maxCertificateBytes``, and cached per URL;
/// 3. the leaf must be valid at `now`, name a `paypal.com` host (subject CN or a DNS subject alternative name), and
///    chain to a trust anchor (the system roots from `/etc/ssl/certs` unless anchors are given) under RFC 5280 rules
///    evaluated at `now`;
/// 4. the transmission signature must verify as RSA PKCS#1 v1.5 with SHA-256 (`SHA256withRSA`) under the leaf's key.
///
/// Anything else refuses the delivery.
public struct PayPalCertificateChecker: PayPalTransmissionSignatureChecker, CustomStringConvertible {
    /// PayPal's certificate documents are a few kilobytes; anything much larger is not one.
    public static let maxCertificateBytes = 64 * 1024

    private let transport: GatewayTransport
    private let trustRoots: CertificateStore
    private let baseOrigin: Origin?
    private let cache = PayPalCertificateCache()

    /// - Parameters:
    ///   - transport: how the certificate is fetched.
    ///   - baseURL: the gateway's configured base URL; certificate URLs on its exact scheme, host and port are accepted
    ///     too (sandboxes, fakes). PayPal's own hosts are always accepted, over https only.
    ///   - trustAnchorsPEM: PEM certificates to anchor chains on instead of the system roots (tests, private CAs).
    public init(transport: GatewayTransport, baseURL: String? = nil, trustAnchorsPEM: String? = nil)
        throws(WebhookVerificationError)
    {
        self.transport = transport
        baseOrigin = baseURL.flatMap(URL.init(string:)).flatMap(Origin.init)
        if let trustAnchorsPEM {
            let anchors: [Certificate]
            do {
                anchors = try Self.certificates(inPEM: trustAnchorsPEM)
            } catch {
                throw .badSecretFormat("the PayPal trust anchors are not PEM certificates")
            }
            guard !anchors.isEmpty else { throw .badSecretFormat("no PayPal trust anchor given") }
            trustRoots = CertificateStore(anchors)
        } else {
            trustRoots = CertificateStore.systemTrustRoots
        }
    }

    public var description: String {
        "PayPalCertificateChecker(\(baseOrigin.map { "\($0.scheme)://\($0.host):\($0.port)" } ?? "PayPal hosts only"))"
    }

    /// PayPal's certificate hosts over https, or the exact origin of the configured base URL.
    public func isAllowedCertificateURL(_ url: URL) -> Bool {
        Self.isAllowedCertificateURL(url, baseOrigin: baseOrigin)
    }

    /// PayPal's certificate hosts over https, or exactly the scheme, host and port of `baseURL`.
    public static func isAllowedCertificateURL(_ url: URL, baseURL: String?) -> Bool {
        isAllowedCertificateURL(url, baseOrigin: baseURL.flatMap(URL.init(string:)).flatMap(Origin.init))
    }

    private static func isAllowedCertificateURL(_ url: URL, baseOrigin: Origin?) -> Bool {
        if PayPalWebhookVerifier.isPayPalCertificateURL(url) { return true }
        guard let baseOrigin, url.user == nil, url.password == nil, let origin = Origin(url) else { return false }
        return origin == baseOrigin
    }

    public func isValidSignature(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL, now: Date)
        async -> Bool
    {
        await refusal(signature, over: message, algorithm: algorithm, certificateURL: certificateURL, now: now) == nil
    }

    public func refusal(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL, now: Date)
        async -> String?
    {
        do {
            try await check(signature, over: message, algorithm: algorithm, certificateURL: certificateURL, now: now)
            return nil
        } catch {
            return error.description
        }
    }

    /// The whole check, naming the first thing that fails.
    public func check(_ signature: [UInt8], over message: [UInt8], algorithm: String, certificateURL: URL, now: Date)
        async throws(PayPalCertificateError)
    {
        guard algorithm == "SHA256withRSA" else { throw .unsupportedAlgorithm(algorithm) }
        guard isAllowedCertificateURL(certificateURL) else { throw .untrustedURL(certificateURL.absoluteString) }
        let transport = transport
        let chain = try await cache.chain(for: certificateURL) { () async throws(PayPalCertificateError) in
            try await Self.fetch(certificateURL, transport: transport)
        }
        let leaf = chain.leaf

        guard now >= leaf.notValidBefore else { throw .notYetValid(notBefore: leaf.notValidBefore) }
        guard now <= leaf.notValidAfter else { throw .expired(notAfter: leaf.notValidAfter) }
        guard Self.namesPayPal(leaf) else { throw .notPayPal(String(describing: leaf.subject)) }

        var verifier = Verifier(rootCertificates: trustRoots) { RFC5280Policy(fixedExpiryValidationTime: now) }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.intermediates))
        guard case .validCertificate = result else {
            var reasons: [String] = []
            if case .couldNotValidate(let failures) = result {
                reasons = failures.map { String(describing: $0.policyFailureReason) }
            }
            throw .untrustedChain(reasons.isEmpty ? "no chain to a trust anchor" : reasons.joined(separator: "; "))
        }

        let key: _RSA.Signing.PublicKey
        do {
            key = try _RSA.Signing.PublicKey(derRepresentation: leaf.publicKey.subjectPublicKeyInfoBytes)
        } catch {
            throw .notRSA
        }
        guard
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        else { throw .badSignature }
    }

    // MARK: fetching and parsing

    static func fetch(_ url: URL, transport: GatewayTransport) async throws(PayPalCertificateError) -> PayPalCertificateChain {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/x-pem-file, text/plain, */*")
        let response: GatewayHTTPResponse
        do {
            response = try await transport.send(GatewayHTTPRequest(method: .GET, url: url.absoluteString, headers: headers))
        } catch {
            throw .fetchFailed(String(describing: error))
        }
        guard (200..<300).contains(response.status) else { throw .fetchFailed("HTTP status \(response.status)") }
        guard response.body.count <= maxCertificateBytes else { throw .tooLarge(response.body.count) }
        let served: [Certificate]
        do {
            served = try certificates(inPEM: String(decoding: response.body, as: UTF8.self))
        } catch {
            throw .unparsable(String(describing: error))
        }
        guard let leaf = served.first else { throw .unparsable("no CERTIFICATE in the document") }
        return PayPalCertificateChain(leaf: leaf, intermediates: Array(served.dropFirst()))
    }

    /// Every `CERTIFICATE` block of a PEM text, in order; other block types are refused.
    static func certificates(inPEM text: String) throws -> [Certificate] {
        try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
    }

    /// The subject CN or a DNS subject alternative name is `paypal.com` or under it.
    static func namesPayPal(_ certificate: Certificate) -> Bool {
        var names: [String] = []
        for relative in certificate.subject {
            for attribute in relative where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value) { names.append(name) }
            }
        }
        if let alternatives = try? certificate.extensions.subjectAlternativeNames {
            for case .dnsName(let name) in alternatives { names.append(name) }
        }
        return names.contains { name in
            let lowered = name.lowercased()
            return lowered == "paypal.com" || (lowered.hasSuffix(".paypal.com") && !lowered.contains("*"))
        }
    }

    /// Scheme, host and effective port of a URL (RFC 6454 origin), lowercased.
    struct Origin: Hashable, Sendable {
        let scheme: String
        let host: String
        let port: Int

        init?(_ url: URL) {
            guard let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
                let host = url.host?.lowercased(), !host.isEmpty
            else { return nil }
            self.scheme = scheme
            self.host = host
            port = url.port ?? (scheme == "https" ? 443 : 80)
        }
    }
}

/// Why ``PayPalCertificateChecker`` refused a delivery.
public enum PayPalCertificateError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedAlgorithm(String)
    case untrustedURL(String)
    case fetchFailed(String)
    case tooLarge(Int)
    case unparsable(String)
    case notYetValid(notBefore: Date)
    case expired(notAfter: Date)
    case notPayPal(String)
    case untrustedChain(String)
    case notRSA
    case badSignature

    public var description: String {
        switch self {
        case .unsupportedAlgorithm(let algorithm): "unsupported algorithm \(algorithm)"
        case .untrustedURL(let url): "certificate URL \(url) is not a PayPal certificate location"
        case .fetchFailed(let reason): "the certificate could not be fetched: \(reason)"
        case .tooLarge(let bytes): "the certificate document is \(bytes) bytes, more than a certificate"
        case .unparsable(let reason): "the certificate document is not PEM certificates: \(reason)"
        case .notYetValid(let notBefore): "the certificate is not valid before \(notBefore)"
        case .expired(let notAfter): "the certificate expired at \(notAfter)"
        case .notPayPal(let subject): "the certificate (\(subject)) does not name a paypal.com host"
        case .untrustedChain(let reason): "the certificate does not chain to a trust anchor: \(reason)"
        case .notRSA: "the certificate's key is not an RSA key of at least 2048 bits"
        case .badSignature: "the signature does not verify under the certificate's key"
        }
    }
}

/// A fetched certificate document: the signing certificate and the intermediates served with it.
struct PayPalCertificateChain: Sendable {
    let leaf: Certificate
    let intermediates: [Certificate]
}

/// Fetched certificate documents by URL. PayPal names each certificate by its own URL, so a document never changes;
/// concurrent first deliveries share one fetch, failures are not kept (the next delivery fetches again), and only the
/// most recent `capacity` URLs are kept so forged URLs cannot grow it.
actor PayPalCertificateCache {
    private enum Entry {
        case loading(Task<Result<PayPalCertificateChain, PayPalCertificateError>, Never>)
        case loaded(PayPalCertificateChain)
    }

    private let capacity: Int
    private var entries: [URL: Entry] = [:]
    private var order: [URL] = []

    init(capacity: Int = 16) {
        self.capacity = capacity
    }

    func chain(
        for url: URL, load: @escaping @Sendable () async throws(PayPalCertificateError) -> PayPalCertificateChain
    ) async throws(PayPalCertificateError) -> PayPalCertificateChain {
        let task: Task<Result<PayPalCertificateChain, PayPalCertificateError>, Never>
        switch entries[url] {
        case .loaded(let chain):
            return chain
        case .loading(let running):
            task = running
        case nil:
            task = Task {
                do throws(PayPalCertificateError) {
                    return .success(try await load())
                } catch {
                    return .failure(error)
                }
            }
            entries[url] = .loading(task)
            order.append(url)
            while order.count > capacity { entries[order.removeFirst()] = nil }
        }
        let result = await task.value
        // Only the fetch this entry still stands for may settle it (it may have been evicted or replaced meanwhile).
        guard case .loading(let current) = entries[url], current == task else { return try result.get() }
        switch result {
        case .success(let chain):
            entries[url] = .loaded(chain)
            return chain
        case .failure(let error):
            entries[url] = nil
            order.removeAll { $0 == url }
            throw error
        }
    }

    var count: Int { entries.count }
}
