import Foundation
import Hummingbird
import TollgateGateways

/// `/v1/operator/gateways`: the platform operator configures payment gateways. Credentials go in and never come out.
struct OperatorGatewaysController {
    let auth: OperatorAuth
    let repository: any PaymentRepository

    struct CreateBody: JSONRequestBody {
        let name: String
        let kind: String
        let baseURL: String?
        let credentials: [String: String]
        let minimumTopUpMicros: Int64?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, kind, baseURL = "base_url", credentials, minimumTopUpMicros = "minimum_top_up_micros"
        }
    }

    struct UpdateBody: JSONRequestBody {
        let baseURL: String?
        let credentials: [String: String]?
        let minimumTopUpMicros: Int64?
        let enabled: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case baseURL = "base_url", credentials, minimumTopUpMicros = "minimum_top_up_micros", enabled
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("operator/gateways", use: create)
        group.get("operator/gateways", use: list)
        group.get("operator/gateways/{id}", use: show)
        group.patch("operator/gateways/{id}", use: update)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (operatorAccount, _) = try await auth.require(request)
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        guard body.name.wholeMatch(of: /[a-z0-9][a-z0-9-]{0,62}/) != nil else {
            throw Problem.invalid(field: "name", "1–63 lower-case letters, digits and '-', starting with a letter or digit; it becomes the webhook path")
        }
        guard let kind = GatewayKind(rawValue: body.kind), let adapter = GatewayCatalog.adapter(for: kind) else {
            throw Problem.invalid(field: "kind", "must be one of \(GatewayKind.allCases.filter { GatewayCatalog.adapter(for: $0) != nil }.map(\.rawValue).joined(separator: ", "))")
        }
        let baseURL = try Self.baseURL(body.baseURL ?? adapter.defaultBaseURL)
        try Self.check(body.credentials, for: adapter)
        let minimum = try Self.minimum(body.minimumTopUpMicros ?? 1_000_000)
        let new = NewPaymentGateway(name: body.name, kind: kind, baseURL: baseURL, credentials: body.credentials, minimumTopUpMicros: minimum)
        let audit = AuditRecord(
            action: "payment_gateway.created", actor: operatorAccount.auditActor, clientAddress: context.clientAddress,
            targetType: "payment_gateway", targetID: body.name,
            details: ["kind": kind.rawValue, "base_url": baseURL, "credentials": body.credentials.keys.sorted().joined(separator: ",")])
        do {
            return try .json(try await repository.createGateway(new, audit: audit), status: .created)
        } catch let error as PaymentError {
            throw error.problem
        }
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await auth.require(request)
        return try .json(Page(items: try await repository.gateways(), nextCursor: nil))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await auth.require(request)
        return try .json(try await gateway(context))
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (operatorAccount, _) = try await auth.require(request)
        let existing = try await gateway(context)
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        let adapter = GatewayCatalog.adapter(for: existing.kind)
        if let credentials = body.credentials, let adapter { try Self.check(credentials, for: adapter) }
        let changes = PaymentGatewayChanges(
            baseURL: try body.baseURL.map(Self.baseURL), credentials: body.credentials,
            minimumTopUpMicros: try body.minimumTopUpMicros.map(Self.minimum), enabled: body.enabled)
        var details: [String: String] = [:]
        if let url = changes.baseURL { details["base_url"] = url }
        if let credentials = body.credentials { details["credentials"] = credentials.keys.sorted().joined(separator: ",") }
        if let enabled = body.enabled { details["enabled"] = String(enabled) }
        if let minimum = changes.minimumTopUpMicros { details["minimum_top_up_micros"] = String(minimum) }
        let audit = AuditRecord(
            action: "payment_gateway.updated", actor: operatorAccount.auditActor, clientAddress: context.clientAddress,
            targetType: "payment_gateway", targetID: existing.name, details: details)
        guard let updated = try await repository.updateGateway(id: existing.id, changes, audit: audit) else {
            throw Problem.notFound("Payment gateway \(existing.id)")
        }
        return try .json(updated)
    }

    private func gateway(_ context: AppRequestContext) async throws -> PaymentGatewayConfig {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let gateway = try await repository.gateway(id: id) else { throw Problem.notFound("Payment gateway \(id)") }
        return gateway
    }

    static func baseURL(_ text: String) throws -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil,
            url.user == nil, url.password == nil, url.query == nil, url.fragment == nil, (8...500).contains(text.utf8.count)
        else {
            throw Problem.invalid(field: "base_url", "must be an http(s) URL without credentials, query or fragment, like https://api.stripe.com")
        }
        return text
    }

    static func check(_ credentials: [String: String], for adapter: any ConfigurableGateway.Type) throws {
        let known = Dictionary(uniqueKeysWithValues: adapter.credentialFields.map { ($0.name, $0) })
        var errors: [Problem.FieldError] = []
        for name in credentials.keys.sorted() where known[name] == nil {
            errors.append(.init(field: "credentials.\(name)", message: "unknown; \(adapter.gatewayKind.rawValue) takes \(known.keys.sorted().joined(separator: ", "))"))
        }
        for field in adapter.credentialFields where field.isRequired && (credentials[field.name] ?? "").isEmpty {
            errors.append(.init(field: "credentials.\(field.name)", message: "is required: \(field.summary)"))
        }
        for (name, value) in credentials where value.utf8.count > 4096 {
            errors.append(.init(field: "credentials.\(name)", message: "is longer than 4096 bytes"))
        }
        if !errors.isEmpty { throw Problem.invalid(errors) }
    }

    static func minimum(_ micros: Int64) throws -> Int64 {
        guard micros > 0, micros <= TopUpService.maximumTopUpMicros else {
            throw Problem.invalid(field: "minimum_top_up_micros", "must be positive and at most \(TopUpService.maximumTopUpMicros)")
        }
        return micros
    }
}
