/// PayPal's OAuth2 access token (client credentials), shared by every copy of one adapter. It is refreshed ahead of
/// its expiry, concurrent callers wait for one refresh instead of each asking PayPal, and a token PayPal refuses
/// (401) is dropped so the next call fetches a new one.
actor PayPalTokenCache {
    typealias Fetch = @Sendable () async throws(GatewayError) -> (token: String, lifetime: Duration)

    private var current: (token: String, refreshAt: ContinuousClock.Instant)?
    private var refreshing: Task<Result<String, GatewayError>, Never>?
    private(set) var fetches = 0

    func token(using fetch: @escaping Fetch) async throws(GatewayError) -> String {
        if let current, ContinuousClock.now < current.refreshAt { return current.token }
        if let refreshing { return try await refreshing.value.get() }
        let task = Task<Result<String, GatewayError>, Never> {
            do throws(GatewayError) {
                let (token, lifetime) = try await fetch()
                await self.store(token, lifetime: lifetime)
                return .success(token)
            } catch {
                return .failure(error)
            }
        }
        refreshing = task
        let result = await task.value
        refreshing = nil
        return try result.get()
    }

    /// Forget `token` if it is still the cached one (a newer token fetched meanwhile stays).
    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }

    private func store(_ token: String, lifetime: Duration) {
        fetches += 1
        // Refresh a little early — a quarter of the lifetime, at most five minutes — so a token never expires
        // between our check and PayPal's.
        let margin = min(lifetime / 4, .seconds(300))
        current = (token, ContinuousClock.now + lifetime - margin)
    }
}
