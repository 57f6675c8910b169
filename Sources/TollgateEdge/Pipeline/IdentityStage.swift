import Crypto
import Foundation
import NIOHTTP1
import TollgateCore

/// Establishes who is asking: a Web Bot Auth signature verified with the crawler keys from sync, or a crawl token
/// verified offline with the synced signing keys and revocation list. Requests with neither stay anonymous.
struct IdentityStage: DecisionStage {
    let verifier: WebBotAuthVerifier
    let responses: PayPerCrawlResponses
    var name: String { "identity" }

    func evaluate(_ context: inout DecisionContext) -> StageOutcome {
        let headers = context.request.headers
        let priced = context.site?.quoter != nil
        let hasInput = headers.contains(name: WebBotAuthHeaderName.signatureInput)
        let hasSignature = headers.contains(name: WebBotAuthHeaderName.signature)
        if hasInput || hasSignature {
            guard hasInput && hasSignature else {
                return priced
                    ? reject(context, .invalidSignature, "invalid_signature",
                        "Web Bot Auth needs both the Signature-Input and the Signature header.")
                    : .next
            }
            return verifySignature(&context, priced: priced)
        }
        if let token = Self.crawlToken(in: headers) {
            return verifyToken(token, &context)
        }
        if priced, Self.offersPayment(headers) {
            return reject(context, .strongAuthRequired, "unsigned_price",
                "A price header must be sent with a valid Web Bot Auth signature that covers it.")
        }
        return .next
    }

    private func verifySignature(_ context: inout DecisionContext, priced: Bool) -> StageOutcome {
        let state = context.state
        let now = context.now
        do {
            let verified = try verifier.verify(context.request, now: now) { signature in
                guard let key = state.keys[signature.keyID], key.isUsable(at: now) else { return nil }
                return key.publicKey
            }
            let signature = verified.signature
            let key = state.keys[signature.keyID]
            let nonce = signature.nonce ?? Data(SHA256.hash(data: signature.signature)).base64EncodedString()
            context.identity = CrawlerIdentity(
                proof: .webBotAuth(keyID: signature.keyID), crawler: key.flatMap { state.crawlers[$0.crawlerID] },
                accountID: nil, tokenMaxPrice: nil, coveredComponents: Set(signature.components.map(\.name)),
                requestKey: "\(signature.keyID) \(nonce) \(context.request.url)", requestKeyExpires: signature.expires)
            return .next
        } catch .tagMismatch {
            // Another profile's signature (not web-bot-auth): not ours to judge.
            return priced && Self.offersPayment(context.request.headers)
                ? reject(context, .strongAuthRequired, "unsigned_price",
                    "A price header must be covered by a Web Bot Auth signature (tag \"web-bot-auth\").")
                : .next
        } catch .unknownKey(let keyID) {
            return priced && Self.offersPayment(context.request.headers)
                ? reject(context, .strongAuthRequired, "unknown_key",
                    "Signing key \(keyID) is not registered with Tollgate; register the crawler and its key first.")
                : .next
        } catch {
            return priced ? reject(context, .invalidSignature, "invalid_signature", "Web Bot Auth signature refused: \(error).") : .next
        }
    }

    private func verifyToken(_ token: String, _ context: inout DecisionContext) -> StageOutcome {
        let state = context.state
        guard let site = context.site else { return .next }
        let verified: CrawlToken
        do {
            verified = try state.crawlTokenVerifier.verify(token, now: context.now, tenantID: site.tenantID, siteID: site.id)
        } catch {
            return tokenRefused(context, "The crawl token was refused: \(error).")
        }
        let claims = verified.claims
        if state.revokedCrawlTokens[claims.tokenID] != nil {
            return tokenRefused(context, "The crawl token \(claims.tokenID) has been revoked.")
        }
        let crawler = state.crawlers.values.first { $0.accounts.contains { $0.id == claims.crawlerAccountID } }
        context.identity = CrawlerIdentity(
            proof: .crawlToken(tokenID: claims.tokenID), crawler: crawler, accountID: claims.crawlerAccountID,
            tokenMaxPrice: claims.maxPrice, coveredComponents: [], requestKey: nil, requestKeyExpires: nil)
        return .next
    }

    private func tokenRefused(_ context: DecisionContext, _ message: String) -> StageOutcome {
        var response = EdgeResponse.text(.unauthorized, message + "\n", headers: [
            "www-authenticate": "Bearer error=\"invalid_token\"", "cache-control": "private, no-store",
        ])
        response.headers.add(name: PayPerCrawlHeader.error, value: CrawlerError.strongAuthRequired.rawValue)
        return .decided(.now(.respond(response, context.record(.reject, "identity.invalid_crawl_token"))))
    }

    private func reject(_ context: DecisionContext, _ error: CrawlerError, _ reason: String, _ message: String) -> StageOutcome {
        .decided(.now(.respond(responses.error(error, message), context.record(.reject, "identity.\(reason)"))))
    }

    static func offersPayment(_ headers: HTTPHeaders) -> Bool {
        headers.contains(name: PayPerCrawlHeader.exactPrice) || headers.contains(name: PayPerCrawlHeader.maxPrice)
            || headers.contains(name: PayPerCrawlHeader.paymentSignature)
    }

    /// `Authorization: Bearer tgc1.…`; other bearer tokens belong to the site and pass untouched.
    static func crawlToken(in headers: HTTPHeaders) -> String? {
        for value in headers["authorization"] {
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer", parts[1].hasPrefix(CrawlToken.prefix + ".") {
                return String(parts[1]).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
