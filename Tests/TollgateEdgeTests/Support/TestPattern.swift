import NIOCore

/// Deterministic bytes for the streaming tests: byte i is `i % 251`.
enum TestPattern {
    static func write(into buffer: inout ByteBuffer, offset: Int, count: Int) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
            var value = offset % 251
            for index in 0..<count {
                bytes[index] = UInt8(truncatingIfNeeded: value)
                value = value == 250 ? 0 : value + 1
            }
            return count
        }
    }

    /// A body of `count` pattern bytes, produced in chunks and counted as they are taken.
    struct Body: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let count: Int
        let chunkSize: Int
        let produced: ByteCounter

        struct AsyncIterator: AsyncIteratorProtocol {
            let body: Body
            var offset = 0

            mutating func next() async -> ByteBuffer? {
                guard offset < body.count else { return nil }
                let size = Swift.min(body.chunkSize, body.count - offset)
                var buffer = ByteBuffer()
                TestPattern.write(into: &buffer, offset: offset, count: size)
                offset += size
                body.produced.add(size)
                return buffer
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }
    }
}
