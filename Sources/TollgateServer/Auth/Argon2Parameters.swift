/// Argon2id cost. The default is OWASP's recommendation (19 MiB, 2 passes, 1 lane); raise it when logins are rare
/// and hardware is strong. Stored hashes carry their own parameters and are re-hashed at the next login when these change.
public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: Int = 19_456
    public var iterations: Int = 2
    public var parallelism: Int = 1

    public init() {}

    public init(memoryKiB: Int, iterations: Int, parallelism: Int) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// The `m=…,t=…,p=…` part of an encoded hash, as libargon2 writes it.
    var encodedSegment: String { "m=\(memoryKiB),t=\(iterations),p=\(parallelism)" }
}
