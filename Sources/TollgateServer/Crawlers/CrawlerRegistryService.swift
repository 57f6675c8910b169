import Foundation
import HTTPTypes
import Logging
import TollgateCore

/// Registering crawlers, their keys and their key directories, for the operator API and the background refresher.
/// Every change is audited in the platform chain; repository errors become problems that say what to do.
struct CrawlerRegistryService: Sendable {
    /// Directory keys stay usable this long past the directory's cache lifetime while it cannot be fetched, so a
    /// short outage of the crawler's directory does not turn its signed requests away.
    static let staleGrace = 86_400
    /// How long a claimed refresh keeps other replicas off the directory.
    static let refreshLease = 120

    let crawlers: any CrawlerRepository
    let fetcher: any KeyDirectoryFetcher
    let allowlist: KeyDirectoryHostAllowlist
    let logger: Logger

    struct Registration: Sendable {
        let name: String
        let productToken: String
        let userAgent: String
        let contact: String
        let purposes: [String]
        let keyDirectoryURL: String?
        let keys: [UploadedJWK]
    }

    struct Update: Sendable {
        var name: String?
        var userAgent: String?
        var contact: String?
        var purposes: [String]?
        /// `.some(nil)` removes the directory.
        var keyDirectoryURL: String??
    }

    enum Trigger: String {
        case manual, scheduled
    }

    // MARK: Operator actions

    func register(_ registration: Registration, by owner: CrawlerOperator, caller: Caller) async throws -> Crawler {
        var fields = CrawlerFields.Collector()
        let name = fields.check { try Validation.text(registration.name, field: "name", required: true, max: CrawlerFields.maxNameLength) }
        let token = fields.check { try CrawlerFields.productToken(registration.productToken) }
        let userAgent = fields.check {
            try Validation.text(registration.userAgent, field: "user_agent", required: true, max: CrawlerFields.maxUserAgentLength)
        }
        let contact = fields.check { try CrawlerFields.contact(registration.contact) }
        let purposes = fields.check { try CrawlerFields.purposes(registration.purposes) }
        let url = fields.check { try registration.keyDirectoryURL.map { try CrawlerFields.keyDirectoryURL($0, allowlist: allowlist) } }
        var keys: [NewCrawlerKey] = []
        if registration.keys.count > CrawlerFields.maxKeys {
            _ = fields.check { throw Problem.invalid(field: "keys", "must hold at most \(CrawlerFields.maxKeys) keys") }
        }
        for (index, jwk) in registration.keys.prefix(CrawlerFields.maxKeys).enumerated() {
            guard let key = fields.check({ try jwk.validated(field: "keys[\(index)]") }) else { continue }
            if let first = keys.firstIndex(where: { $0.thumbprint == key.thumbprint }) {
                _ = fields.check { throw Problem.invalid(field: "keys[\(index)]", "is the same key as keys[\(first)]") }
            }
            keys.append(key)
        }
        if registration.keyDirectoryURL == nil && registration.keys.isEmpty {
            _ = fields.check {
                throw Problem.invalid(field: "key_directory_url", "or keys is required: say how the crawler proves its identity")
            }
        }
        try fields.finish()
        guard let name, let token, let userAgent, let contact, let purposes, let url else { throw Problem.invalid(fields.errors) }

        let crawler = NewCrawler(name: name, productToken: token, userAgent: userAgent, contact: contact, purposes: purposes, keyDirectoryURL: url)
        do {
            return try await crawlers.create(operatorID: owner.id, crawler, keys: keys) { id in
                record(
                    "crawler.registered", crawlerID: id, by: owner, caller: caller,
                    details: [
                        "name": name, "product_token": token, "key_directory_url": url ?? "",
                        "keys": keys.map(\.thumbprint).joined(separator: ","),
                    ])
            }
        } catch let error as CrawlerRegistryError {
            throw Self.problem(error, crawlerID: nil)
        }
    }

    func update(_ crawler: Crawler, _ update: Update, by owner: CrawlerOperator, caller: Caller) async throws -> Crawler {
        var fields = CrawlerFields.Collector()
        var change = CrawlerChange()
        change.name = fields.check { try update.name.map { try Validation.text($0, field: "name", required: true, max: CrawlerFields.maxNameLength) } } ?? nil
        change.userAgent = fields.check {
            try update.userAgent.map { try Validation.text($0, field: "user_agent", required: true, max: CrawlerFields.maxUserAgentLength) }
        } ?? nil
        change.contact = fields.check { try update.contact.map(CrawlerFields.contact) } ?? nil
        change.purposes = fields.check { try update.purposes.map(CrawlerFields.purposes) } ?? nil
        if let url = update.keyDirectoryURL {
            change.keyDirectoryURL = .some(fields.check { try url.map { try CrawlerFields.keyDirectoryURL($0, allowlist: allowlist) } } ?? nil)
        }
        try fields.finish()
        let changed = [
            ("name", change.name != nil), ("user_agent", change.userAgent != nil), ("contact", change.contact != nil),
            ("purposes", change.purposes != nil), ("key_directory_url", change.keyDirectoryURL != nil),
        ].filter(\.1).map(\.0)
        guard !changed.isEmpty else { return crawler }
        do {
            return try await crawlers.update(
                id: crawler.id, change,
                audit: record("crawler.updated", crawlerID: crawler.id, by: owner, caller: caller, details: ["fields": changed.joined(separator: ",")]))
        } catch let error as CrawlerRegistryError {
            throw Self.problem(error, crawlerID: crawler.id)
        }
    }

    func addKey(_ crawler: Crawler, _ jwk: UploadedJWK, by owner: CrawlerOperator, caller: Caller) async throws -> CrawlerKey {
        let key = try jwk.validated(field: "jwk")
        do {
            return try await crawlers.addKey(
                crawlerID: crawler.id, key,
                audit: record(
                    "crawler.key_added", crawlerID: crawler.id, by: owner, caller: caller,
                    details: ["thumbprint": key.thumbprint, "source": CrawlerKey.Source.uploaded.rawValue]))
        } catch let error as CrawlerRegistryError {
            throw Self.problem(error, crawlerID: crawler.id)
        }
    }

    func revokeKey(_ crawler: Crawler, thumbprint: String, by owner: CrawlerOperator, caller: Caller) async throws -> CrawlerKey {
        do {
            return try await crawlers.revokeKey(
                crawlerID: crawler.id, thumbprint: thumbprint,
                audit: record("crawler.key_revoked", crawlerID: crawler.id, by: owner, caller: caller, details: ["thumbprint": thumbprint]))
        } catch let error as CrawlerRegistryError {
            throw Self.problem(error, crawlerID: crawler.id)
        }
    }

    func revoke(_ crawler: Crawler, by owner: CrawlerOperator, caller: Caller) async throws {
        do {
            try await crawlers.revoke(
                id: crawler.id,
                audit: record("crawler.revoked", crawlerID: crawler.id, by: owner, caller: caller, details: ["product_token": crawler.productToken]))
        } catch let error as CrawlerRegistryError {
            throw Self.problem(error, crawlerID: crawler.id)
        }
    }

    /// Fetches the crawler's directory now. A directory that cannot be used gives a 502 problem naming the reason;
    /// the crawler's keys are left as they were.
    func refreshNow(_ crawler: Crawler, by owner: CrawlerOperator, caller: Caller) async throws -> Crawler {
        guard crawler.status == .active else { throw Self.problem(.revoked, crawlerID: crawler.id) }
        guard let directory = crawler.directory else { throw Self.problem(.noDirectory, crawlerID: crawler.id) }
        let actor = AuditActor(type: "crawler_operator", id: owner.id.uuidString, label: owner.email)
        do {
            _ = try await refresh(crawlerID: crawler.id, url: directory.url, actor: actor, clientAddress: caller.clientAddress, trigger: .manual)
        } catch let error as KeyDirectoryFetchError {
            throw Self.problem(error)
        } catch let error as CrawlerRegistryError {
            throw Self.problem(error, crawlerID: crawler.id)
        }
        guard let refreshed = try await crawlers.crawler(id: crawler.id) else { throw Self.problem(.notFound, crawlerID: crawler.id) }
        return refreshed
    }

    // MARK: Background refresh

    /// One pass of the refresher: clears verification whose keys expired, then refreshes up to `limit` due
    /// directories. Returns how many directories it fetched.
    func refreshDue(limit: Int = 20) async throws -> Int {
        let expired = try await crawlers.reconcileVerification()
        if expired > 0 { logger.info("crawlers lost verification: their directory keys expired", metadata: ["crawlers": "\(expired)"]) }
        let due = try await crawlers.claimDueDirectories(limit: limit, lease: Self.refreshLease)
        for (crawlerID, url) in due {
            // Leases left unused at shutdown expire in `refreshLease` seconds, when another replica takes them.
            guard !Task.isCancelled else { break }
            do {
                _ = try await refresh(crawlerID: crawlerID, url: url, actor: .system, clientAddress: "", trigger: .scheduled)
            } catch KeyDirectoryFetchError.cancelled {
                break
            } catch {
                logger.notice("key directory refresh failed", metadata: ["crawler": "\(crawlerID)", "url": "\(url)", "error": "\(error)"])
            }
        }
        return due.count
    }

    /// Fetches `url` for the crawler and records the outcome: keys on success, the error and a backoff on failure.
    /// Throws the `KeyDirectoryFetchError` (or `CrawlerRegistryError.keyInUse`) after recording it.
    func refresh(crawlerID: UUID, url: String, actor: AuditActor, clientAddress: String, trigger: Trigger) async throws -> DirectoryKeyChanges {
        let fetched: FetchedKeyDirectory
        do {
            let location: KeyDirectoryURL
            do {
                location = try KeyDirectoryURL.parse(url, allowlist: allowlist)
            } catch {
                throw KeyDirectoryFetchError.notAllowed(error.description)
            }
            fetched = try await fetcher.fetch(location)
        } catch let error as KeyDirectoryFetchError {
            if error != .cancelled {
                try await recordFailure(
                    crawlerID: crawlerID, url: url, reason: error.description, actor: actor, clientAddress: clientAddress, trigger: trigger)
            }
            throw error
        }
        do {
            return try await crawlers.recordDirectoryFetch(crawlerID: crawlerID, fetched, staleGrace: Self.staleGrace) { changes in
                // Scheduled refreshes that change nothing are not worth a place in the audit chain.
                guard trigger == .manual || changes.changedKeys || changes.wasVerified != changes.isVerified else { return nil }
                return AuditRecord(
                    action: "crawler.directory_refreshed", actor: actor, clientAddress: clientAddress, targetType: "crawler",
                    targetID: crawlerID.uuidString,
                    details: [
                        "url": url, "trigger": trigger.rawValue, "added": changes.added.joined(separator: ","),
                        "removed": changes.removed.joined(separator: ","), "superseded": changes.superseded.joined(separator: ","),
                        "ignored": String(fetched.ignored.count), "verified": String(changes.isVerified),
                        "cache_lifetime": String(fetched.cacheLifetime),
                    ])
            }
        } catch CrawlerRegistryError.keyInUse(let thumbprint) {
            let reason = "key \(thumbprint) is already proven by the key directory of another registered crawler"
            try await recordFailure(crawlerID: crawlerID, url: url, reason: reason, actor: actor, clientAddress: clientAddress, trigger: trigger)
            throw CrawlerRegistryError.keyInUse(thumbprint: thumbprint)
        }
    }

    private func recordFailure(
        crawlerID: UUID, url: String, reason rawReason: String, actor: AuditActor, clientAddress: String, trigger: Trigger
    ) async throws {
        // The reason may quote the remote server (headers, JSON keys); control characters stay out of text and jsonb.
        let reason = String(String.UnicodeScalarView(rawReason.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        try await crawlers.recordDirectoryFailure(crawlerID: crawlerID, url: url, reason: reason, backoff: Self.backoff) { failures in
            // A directory that keeps failing is audited when it starts failing, not at every retry.
            guard trigger == .manual || failures == 1 else { return nil }
            return AuditRecord(
                action: "crawler.directory_refresh_failed", actor: actor, clientAddress: clientAddress, targetType: "crawler",
                targetID: crawlerID.uuidString,
                details: ["url": url, "trigger": trigger.rawValue, "reason": String(reason.prefix(500)), "failures": String(failures)])
        }
    }

    /// Seconds until the next try after `failures` consecutive failures: 1 minute, doubling, at most 6 hours.
    static func backoff(_ failures: Int) -> Int {
        Int(Backoff(first: .seconds(60), ceiling: .seconds(6 * 3600)).delay(afterFailures: max(failures, 1)).components.seconds)
    }

    // MARK: Problems

    private func record(
        _ action: String, crawlerID: UUID, by owner: CrawlerOperator, caller: Caller, details: [String: String]
    ) -> AuditRecord {
        AuditRecord(
            action: action, actor: AuditActor(type: "crawler_operator", id: owner.id.uuidString, label: owner.email),
            clientAddress: caller.clientAddress, targetType: "crawler", targetID: crawlerID.uuidString, details: details)
    }

    static func problem(_ error: CrawlerRegistryError, crawlerID: UUID?) -> Problem {
        let crawler = crawlerID.map { "Crawler \($0)" } ?? "The crawler"
        switch error {
        case .notFound: return Problem.notFound(crawler)
        case .revoked:
            return Problem.conflict("crawler-revoked", "\(crawler) is revoked: it can be read but not changed. Register a new crawler instead.")
        case .productTokenTaken:
            return Problem.conflict(
                "product-token-taken",
                "Another crawler already has this product token (tokens are unique platform-wide, ignoring case, and stay with revoked crawlers); choose another.")
        case .keyExists(let thumbprint): return Problem.conflict("key-exists", "\(crawler) already has the key \(thumbprint).")
        case .keyRevoked(let thumbprint):
            return Problem.conflict("key-revoked", "You revoked the key \(thumbprint) on this crawler and revocation is final; generate a new key pair.")
        case .keyInUse(let thumbprint):
            return Problem.conflict(
                "key-in-use", "The key \(thumbprint) belongs to another registered crawler; a key identifies one crawler, so use a key of your own.")
        case .keyNotFound(let thumbprint): return Problem.notFound("An unrevoked key \(thumbprint) of \(crawler.lowercased())")
        case .noDirectory:
            return Problem.conflict("no-key-directory", "\(crawler) has no key directory; set key_directory_url with PATCH first.")
        case .directoryChanged:
            return Problem.conflict("key-directory-changed", "The key directory URL changed while it was being fetched; refresh again.")
        }
    }

    static func problem(_ error: KeyDirectoryFetchError) -> Problem {
        let (slug, title) =
            switch error.kind {
            case .unreachable: ("key-directory-unreachable", "Key directory unreachable")
            case .invalid: ("key-directory-invalid", "Key directory invalid")
            case .unsigned: ("key-directory-unsigned", "Key directory not signed")
            }
        return Problem(
            .badGateway, slug, title: title,
            detail: "\(error). Nothing was changed: keys from earlier fetches stay until they expire. Fix the directory, then refresh again.")
    }
}
