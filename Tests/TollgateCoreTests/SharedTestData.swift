import Foundation

/// Test data shared between the projects: `<repo root>/../shared/data`, found relative to this file so the tests
/// work from any working directory (in CI `shared` is a symlink at the same relative place).
enum SharedTestData {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // …/Tests/TollgateCoreTests
        .deletingLastPathComponent()  // …/Tests
        .deletingLastPathComponent()  // the repository root

    static let directory: URL = repositoryRoot.appendingPathComponent("../shared/data", isDirectory: true).standardizedFileURL

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(relativePath))
    }

    static func decode<T: Decodable>(_ type: T.Type, from relativePath: String) throws -> T {
        try JSONDecoder().decode(type, from: data(relativePath))
    }
}

/// SplitMix64: a tiny deterministic generator so property tests are reproducible from their seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
