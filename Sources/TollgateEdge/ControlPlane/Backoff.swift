/// Exponential back-off for retries against the control plane: 1 s doubling to a ceiling.
struct Backoff {
    let ceiling: Duration
    private(set) var next: Duration = .seconds(1)

    init(ceiling: Duration = .seconds(30)) {
        self.ceiling = ceiling
    }

    mutating func failed() -> Duration {
        defer { next = min(next * 2, ceiling) }
        return next
    }

    mutating func succeeded() {
        next = .seconds(1)
    }
}
