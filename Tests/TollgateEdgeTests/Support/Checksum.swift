import NIOCore
import Synchronization

/// An order-sensitive checksum over a byte stream, the same however the stream is cut into buffers.
struct Checksum: Equatable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private(set) var count = 0

    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var value = self.value
            for byte in bytes {
                value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            self.value = value
        }
        count += buffer.readableBytes
    }

    static func of(patternBytes count: Int) -> Checksum {
        var checksum = Checksum()
        var offset = 0
        while offset < count {
            let size = min(1 << 20, count - offset)
            var buffer = ByteBuffer()
            TestPattern.write(into: &buffer, offset: offset, count: size)
            checksum.update(buffer)
            offset += size
        }
        return checksum
    }
}

final class ByteCounter: Sendable {
    private let total = Atomic<Int>(0)
    func add(_ count: Int) { total.add(count, ordering: .relaxed) }
    var value: Int { total.load(ordering: .relaxed) }
}
