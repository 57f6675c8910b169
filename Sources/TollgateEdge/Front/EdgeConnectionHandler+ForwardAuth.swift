import NIOCore
import NIOHTTP1

// Forward auth: `.forward` means "allowed", answered with 200 and the plan's request headers as response headers,
// which the proxy copies onto the request it sends upstream (Traefik `authResponseHeaders`, nginx
// `auth_request_set`). The agent never sees the upstream's status, so a response hook runs on a synthetic 200 here:
// a paid request is charged when it is authorised.
extension EdgeConnectionHandler {
    func authorize(_ plan: ForwardPlan) {
        var headers = HTTPHeaders()
        for field in plan.requestHeaders { headers.replaceOrAdd(name: field.name, value: field.value) }
        guard let hook = plan.onResponse else {
            respond(EdgeResponse(status: .ok, headers: headers))
            return
        }
        let allowed = headers
        let id = exchangeID
        hook.upstreamResponded(HTTPResponseHead(version: .http1_1, status: .ok), on: context.eventLoop)
            .hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                guard self.exchangeID == id, self.phase == .deciding else { return }
                switch result {
                case .success(.send(let head, let record)):
                    if let record { self.record = record }
                    var headers = allowed
                    headers.add(contentsOf: head.headers)
                    self.respond(EdgeResponse(status: head.status, headers: headers))
                case .success(.replace(let response, let record)):
                    self.record = record
                    self.respond(response)
                case .failure:
                    self.respond(FrontResponses.internalError)
                }
                self.processInbound()
            }
    }
}
