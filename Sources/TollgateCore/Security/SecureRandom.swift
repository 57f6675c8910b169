/// Cryptographically secure random values (`SystemRandomNumberGenerator` reads getrandom(2) on Linux).
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A random string over [0-9A-Za-z], unbiased (rejection-free: `Int.random(in:)` is uniform).
    public static func base62String(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in base62[Int.random(in: 0..<62, using: &generator)] })
    }
}
